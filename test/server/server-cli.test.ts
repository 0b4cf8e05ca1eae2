/**
 * `tracklab server` as a real process: it prints where it listens, serves
 * MLflow's API over the store its --tracking-uri names, logs one JSON line
 * per request to stderr, and exits 0 on SIGTERM after finishing. A public
 * address without --insecure-no-auth is a clear error, exit 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';
import { api } from './server-fixture';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const ENV = { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' };

function startCli(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) { child.stdout.off('data', onData); resolve(m[1]!); }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`tracklab server exited (${code}) before listening: ${stderr}`)));
  });
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

for (const kind of testStores()) {
  test(`${kind.name}: tracklab server serves the store, logs requests as JSON lines, and exits 0 on SIGTERM`, { skip: kind.skip }, async () => {
    const store = kind.create();
    try {
      const server = startCli(['--tracking-uri', store.uri, 'server', '--port', '0', '--artifacts-destination', store.artifactRoot]);
      const url = await server.listening;
      assert.equal(await (await fetch(`${url}/health`)).text(), 'OK');
      assert.match(await (await fetch(`${url}/version`)).text(), /^\d+\.\d+\.\d+/);
      const created = await api(url, 'POST', 'experiments/create', { name: 'via-cli' });
      assert.equal(created.status, 200);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output().stderr);
      const { stdout, stderr } = server.output();
      assert.match(stdout, /MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:\d+/);
      assert.match(stdout, /shutting down/);
      const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { path: string; status: number });
      assert.ok(lines.some((l) => l.path === '/api/2.0/mlflow/experiments/create' && l.status === 200));
      assert.equal((await store.client().getExperiment('via-cli')).experimentId, created.body.experiment_id);
    } finally {
      await store.cleanup();
    }
  });
}

test('tracklab server --host 0.0.0.0 without --insecure-no-auth exits 1 with a message that says what to do', async () => {
  const store = testStores()[0]!.create();
  try {
    const server = startCli(['--tracking-uri', store.uri, 'server', '--host', '0.0.0.0', '--port', '0']);
    server.listening.catch(() => undefined);
    assert.equal(await server.exited, 1);
    const { stdout, stderr } = server.output();
    assert.doesNotMatch(stdout, /listening/);
    assert.match(stderr, /^error \[INVALID_PARAMETER_VALUE\]: Refusing to listen on 0\.0\.0\.0 without authentication/);
    assert.match(stderr, /--insecure-no-auth/);
    assert.doesNotMatch(stderr, /at .*\.js:\d+/, 'no stack trace');
  } finally {
    await store.cleanup();
  }
});

test('tracklab server with MLflow\'s option names exits 2 naming ours, and lists every option it takes (the global ones too)', async () => {
  const cases: [string[], RegExp][] = [
    [['--backend-store-uri', 'sqlite:///tmp/x.db'], /^usage error: Unknown option "--backend-store-uri" \(MLflow's name\): did you mean --tracking-uri\?/],
    [['--backend-store-uri=sqlite:///tmp/x.db'], /did you mean --tracking-uri\?/],
    [['--default-artifact-root', '/tmp/a'], /^usage error: Unknown option "--default-artifact-root" \(MLflow's name\): did you mean --artifacts-destination\?/],
    [['--serve-artifacts'], /^usage error: Unknown option "--serve-artifacts" \(MLflow's\): not needed, tracklab server serves artifacts whenever it has an artifact folder/],
    [['--bogus'], /^usage error: Unknown option "--bogus"\. This command takes /],
  ];
  for (const [args, pattern] of cases) {
    const server = startCli(['server', '--port', '0', ...args]);
    server.listening.catch(() => undefined);
    assert.equal(await server.exited, 2);
    const { stdout, stderr } = server.output();
    assert.equal(stdout, '');
    assert.match(stderr, pattern);
    for (const option of ['--artifacts-destination VALUE', '--auth,', '--quiet', '--tracking-uri VALUE', '--home VALUE', '--artifact-root VALUE', '--help']) {
      assert.ok(stderr.includes(option), `${option} listed: ${stderr}`);
    }
    assert.doesNotMatch(stderr, /put it after "--"/, 'server takes no arguments, so the "--" hint would mislead');
    assert.doesNotMatch(stderr, /at .*\.js:\d+/, 'no stack trace');
  }
});
