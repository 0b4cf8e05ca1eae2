/**
 * README's "Team store" section, run as written against the test cluster:
 * a role and a database owned by it (step 1, as `createuser` and `createdb
 * -O` would make them), the two `export` lines of step 2 (their values
 * pointed at this server and a temp folder), step 3's migrate-store command
 * copied out of the README and run by a shell in a solo user's project, and
 * step 4: two processes ("machines") configured by those variables alone,
 * logging, logging a model and registering it at once, then the CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { repoRoot } from '../support/jupyter';
import { testCluster } from '../support/postgres-cluster';

const ROOT = repoRoot();
const INDEX = path.join(ROOT, 'dist', 'src', 'index.js');

function teamSection(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Team store');
  assert.ok(start >= 0, 'README has a "## Team store" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

interface Result { code: number | null; stdout: string; stderr: string }

function run(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Result> {
  const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A machine's script: plain user code, the store chosen by the environment alone. */
const MACHINE = `
const tracklab = require(${JSON.stringify(INDEX)});
const { SimpleLinearRegression } = require(${JSON.stringify(require.resolve('ml-regression'))});
(async () => {
  tracklab.configure({ experiment: 'team' });
  const run = tracklab.startRun({ name: process.argv[1], params: { machine: process.argv[1] } });
  for (let i = 0; i < 1000; i++) run.log({ loss: 1 / (i + 1) }, i);
  const { modelUri } = await tracklab.logModel(run, new SimpleLinearRegression([0, 1, 2], [1, 3, 5]));
  await run.end();
  const version = await tracklab.getRegistry().registerModel(modelUri, 'team-line');
  console.log(JSON.stringify({ runId: run.id, version: version.version }));
})().catch((err) => { console.error(String(err && err.message || err)); process.exit(1); });
`;

const SOLO = `
const tracklab = require(${JSON.stringify(INDEX)});
(async () => {
  const run = tracklab.startRun({ name: 'solo', params: { lr: 0.1 } });
  for (let i = 0; i < 500; i++) run.log({ loss: 1 / (i + 1) }, i);
  await run.logArtifact(Buffer.from('solo notes\\n'), 'notes.txt');
  await run.end();
  console.log(run.id);
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe("README's Team store section, run as written", () => {
  const section = teamSection();
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-team-'));
  const project = path.join(temp, 'solo-project');
  const bin = path.join(temp, 'bin');
  const cluster = testCluster();
  const suffix = randomBytes(4).toString('hex');
  const role = `ana_${suffix}`;
  const database = `tracklab_${suffix}`;
  const readmeUri = /export TRACKLAB_TRACKING_URI='([^']+)'/.exec(section)?.[1] ?? '';
  const password = /^postgresql:\/\/[^:]+:([^@]+)@/.exec(readmeUri)?.[1] ?? '';
  let env: NodeJS.ProcessEnv;
  let soloRunId = '';

  before(async () => {
    assert.ok(password, `step 2 exports a postgresql:// URI with a password: ${readmeUri}`);
    assert.match(section, /createuser --pwprompt ana && sudo -u postgres createdb -O ana tracklab/);
    // Step 1, as createuser --pwprompt and createdb -O make them: a plain role (no superuser) owning the database.
    cluster.psql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    cluster.psql(`CREATE DATABASE ${database} OWNER ${role}`);

    // A tracklab command on PATH, as `npm install -g` or `npx` would give.
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'tracklab'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist', 'src', 'cli', 'main.js')}" "$@"\n`, { mode: 0o755 });
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRACKLAB_') && !k.startsWith('PG')));
    const base = { ...clean, PATH: `${bin}:${process.env.PATH}` };

    // The solo history: the default embedded store of a project folder.
    fs.mkdirSync(path.join(project, '.tracklab'), { recursive: true });
    const solo = await run(process.execPath, ['-e', SOLO], { cwd: project, env: base });
    assert.equal(solo.code, 0, solo.stderr);
    soloRunId = solo.stdout.trim();

    // Step 2: the README's export lines, with this server and a temp folder as the values.
    const values: Record<string, string> = {
      TRACKLAB_TRACKING_URI: `postgresql://${role}:${password}@127.0.0.1:${cluster.port}/${database}`,
      TRACKLAB_ARTIFACT_ROOT: path.join(temp, 'team-artifacts'),
    };
    const exported = [...section.matchAll(/^\s*export (\w+)=/gm)].map((m) => m[1]);
    assert.deepEqual(exported, Object.keys(values));
    env = { ...base, ...values };
  });

  after(() => {
    cluster.psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    cluster.psql(`DROP ROLE IF EXISTS ${role}`);
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('step 3: the migrate-store command copies the solo store into the team database', async () => {
    const command = /`(?:npx )?(tracklab migrate-store --from \.tracklab[^`]*)`/.exec(section)?.[1];
    assert.ok(command, 'step 3 names a migrate-store command');
    // As written, less `npx`: the test's PATH has the built CLI, which is what npx would find in a project.
    const r = await run('/bin/sh', ['-c', command.replace(/\s+/g, ' ')], { cwd: project, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /copied and verified/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(password));

    const team = new TrackingClient({ trackingUri: env.TRACKLAB_TRACKING_URI, artifactRoot: env.TRACKLAB_ARTIFACT_ROOT });
    try {
      const copied = await team.getRun(soloRunId);
      assert.equal(copied.info.status, 'FINISHED');
      assert.equal(copied.data.metrics.loss.count, 500);
      assert.equal((await team.openArtifact(soloRunId, 'notes.txt')).toString(), 'solo notes\n');
    } finally {
      await team.close();
    }
  });

  it('step 3, the other direction: the backup command as written copies the team store into a folder', async () => {
    const args = /`--from postgresql:\/\/… ([^`]*)`/.exec(section)?.[1];
    assert.ok(args, 'step 3 shows a copy from PostgreSQL into a folder');
    const command = `tracklab migrate-store --from "$TRACKLAB_TRACKING_URI" ${args}`;
    const r = await run('/bin/sh', ['-c', command.replace(/\s+/g, ' ')], { cwd: project, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /copied and verified/);
    const backup = new TrackingClient({ trackingUri: path.join(project, 'backup') });
    try {
      assert.equal((await backup.openArtifact(soloRunId, 'notes.txt')).toString(), 'solo notes\n');
    } finally {
      await backup.close();
    }
  });

  it('step 4: two machines log and register at once with the same code; the CLI sees it all', async () => {
    const [a, b] = await Promise.all(['machine-a', 'machine-b'].map((name) => run(process.execPath, ['-e', MACHINE, name], { cwd: temp, env })));
    for (const r of [a, b]) assert.equal(r.code, 0, r.stderr);
    const results = [a, b].map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as { runId: string; version: number });
    assert.deepEqual(results.map((r) => r.version).sort(), [1, 2]);

    const team = new TrackingClient({ trackingUri: env.TRACKLAB_TRACKING_URI, artifactRoot: env.TRACKLAB_ARTIFACT_ROOT });
    try {
      const { runs } = await team.searchRuns({ experiments: ['team'], orderBy: ['params.machine ASC'] });
      assert.deepEqual(runs.map((r) => [r.data.params.machine, r.info.status, r.data.metrics.loss.count]),
        [['machine-a', 'FINISHED', 1000], ['machine-b', 'FINISHED', 1000]]);
      const { modelVersions: versions } = await new RegistryClient({ tracking: team }).searchModelVersions({ filter: "name = 'team-line'" });
      assert.deepEqual(versions.map((v) => [v.version, v.runId]).sort(), results.map((r) => [r.version, r.runId]).sort());
    } finally {
      await team.close();
    }
    const listed = await run('/bin/sh', ['-c', 'tracklab runs -e team && tracklab info && tracklab models versions team-line'], { cwd: temp, env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /machine-a/);
    assert.match(listed.stdout, new RegExp(`postgresql://${role}:\\*\\*\\*@127\\.0\\.0\\.1`));
    assert.ok(!`${listed.stdout}${listed.stderr}`.includes(password), 'the password never shows');
  });

  it('step 2 again: without the artifact root, a PostgreSQL store says how to set it', async () => {
    const r = await run(process.execPath, ['-e', MACHINE, 'no-artifact-root'], { cwd: temp, env: { ...env, TRACKLAB_ARTIFACT_ROOT: '' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /TRACKLAB_ARTIFACT_ROOT/);
    assert.ok(!r.stderr.includes(password), r.stderr);
  });
});
