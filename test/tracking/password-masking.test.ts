/**
 * A store URI's password never shows: not in command output, error messages
 * (their causes and stacks included), run tags and params, provenance,
 * artifacts, nor in what tracklab logs. A real PostgreSQL role that must give
 * a password over TCP; the processes get the URI the way users give it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { ensureBuilt, repoRoot } from '../support/jupyter';
import { freshDatabase, PASSWORD, PASSWORD_USER, postgresSkip, testCluster } from '../support/postgres-cluster';
import { spawnChild } from './spawn-child';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const ENCODED = encodeURIComponent(PASSWORD);

function assertNoPassword(text: string, where: string): void {
  assert.ok(!text.includes(PASSWORD) && !text.includes(ENCODED), `${where} shows the password:\n${text}`);
}

function tracklab(args: readonly string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd, env: { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { out += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

describe('a PostgreSQL password stays hidden', { skip: postgresSkip() }, () => {
  test('in output, errors, tags, provenance, artifacts and logs', async () => {
    ensureBuilt();
    const cluster = testCluster();
    const db = freshDatabase(cluster);
    cluster.psql(`ALTER DATABASE ${db.name} OWNER TO ${PASSWORD_USER}`);
    const uri = cluster.tcpUri(db.name, PASSWORD_USER, PASSWORD);
    const wrong = cluster.tcpUri(db.name, PASSWORD_USER, `${PASSWORD}-not`);
    const artifactRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-art-'));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-work-'));
    const client = new TrackingClient({ trackingUri: uri, artifactRoot });
    try {
      assertNoPassword(`${client.trackingUri} ${client.home} ${inspect(client, { depth: 4 })}`, 'the client');

      // A script logging through the environment alone, ended by process.exit(): its runs, tags, params, artifacts.
      const child = await spawnChild({ uri, artifactRoot }, ['process-exit', '100', '0']).done;
      assert.equal(child.code, 0, child.stderr);
      assertNoPassword(child.stdout + child.stderr, 'the script\'s output');

      // A project run started by the CLI: it hands the URI to its script in the environment.
      fs.writeFileSync(path.join(work, 'train.js'), "console.log('training with', process.env.TRACKLAB_PARAM_LR);\n");
      fs.writeFileSync(path.join(work, 'tracklab.yaml'), 'name: demo\nentry_points:\n  main:\n    script: train.js\n    parameters:\n      lr: { type: float, default: 0.1 }\n');
      const project = await tracklab(['--tracking-uri', uri, '--artifact-root', artifactRoot, 'run', work, '-P', 'lr=0.2'], work);
      assert.equal(project.code, 0, project.out);
      assertNoPassword(project.out, 'tracklab run');

      for (const args of [['info'], ['info', '--json'], ['experiments'], ['runs', '--json'], ['gc', '--dry-run']]) {
        const r = await tracklab(['--tracking-uri', uri, '--artifact-root', artifactRoot, ...args], work);
        assert.equal(r.code, 0, r.out);
        assertNoPassword(r.out, `tracklab ${args.join(' ')}`);
      }
      const info = JSON.parse((await tracklab(['--tracking-uri', uri, 'info', '--json'], work)).out) as { trackingUri: string };
      assert.match(info.trackingUri, new RegExp(`${PASSWORD_USER}:\\*\\*\\*@`));

      // Everything stored about every run.
      const { runs } = await client.searchRuns({ viewType: 'all' });
      assert.ok(runs.length >= 3, `expected the script's two runs and the project run, got ${runs.length}`);
      for (const run of runs) {
        assertNoPassword(JSON.stringify(run), `run ${run.info.runName}`);
        const files = await client.listArtifacts(run.info.runId);
        assertNoPassword(JSON.stringify(files), `artifacts of ${run.info.runName}`);
        for (const file of files) {
          if (file.size < 1 << 20) assertNoPassword((await client.openArtifact(run.info.runId, file.path)).toString('utf8'), `artifact ${file.path}`);
        }
        assertNoPassword(JSON.stringify(await client.listCells(run.info.runId)), 'cells');
      }

      // Errors: a wrong password, through the API and the CLI, with causes and stacks.
      const bad = new TrackingClient({ trackingUri: wrong, artifactRoot });
      const err = await bad.searchRuns().then(() => undefined, (e: unknown) => e);
      await bad.close().catch(() => undefined);
      assert.ok(isTracklabError(err), String(err));
      for (const shown of [err.message, String(err), err.stack ?? '', inspect(err, { depth: 10 })]) assertNoPassword(shown, 'the error');
      const cli = await tracklab(['--tracking-uri', wrong, 'runs'], work);
      assert.equal(cli.code, 1, cli.out);
      assertNoPassword(cli.out, 'the CLI error');

      // A short password is masked where it is the credential; the server's message around it stays whole.
      for (const short of ['e', 'x', 'ab']) {
        const r = await tracklab(['--tracking-uri', cluster.tcpUri(db.name, PASSWORD_USER, short), 'runs'], work);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, new RegExp(`password authentication failed for user "${PASSWORD_USER}"`), r.out);
        assert.match(r.out, new RegExp(`${PASSWORD_USER}:\\*\\*\\*@`), r.out);
        assert.ok(!r.out.includes(`:${short}@`), `the CLI error shows the password "${short}":\n${r.out}`);
      }

      // Logs: a script whose writes fail warns on stderr; the warning names the store, not its password.
      const failing = await spawnChild({ uri: wrong, artifactRoot }, ['exit', '10']).done;
      assert.match(failing.stderr, /tracklab/);
      assertNoPassword(failing.stdout + failing.stderr, 'the failing script\'s log');
    } finally {
      await client.close();
      db.drop();
      fs.rmSync(artifactRoot, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
