/**
 * Artifacts through a tracking server with no folder in common: the client
 * (this process, and "machine B", a second Node process) has its own
 * TRACKLAB_HOME and no artifactRoot; the server has its own artifact
 * destination. Logging files, folders and a model package, listing,
 * downloading, registering and `loadModel('models:/…@alias')` all go over
 * HTTP (src/store/http/artifact-transfer.ts, src/server/blob-api.ts), on a
 * SQLite store and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { logModel } from '../../src/models/log-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import { TrackingClient } from '../../src/tracking/client';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';
import { until } from '../support/until';
import { startServerFixture, type ServerFixture } from './server-fixture';

const INDEX = path.join(repoRoot(), 'dist', 'src', 'index.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SimpleLinearRegression } = require('ml-regression') as { SimpleLinearRegression: new (x: number[], y: number[]) => unknown };
const BLOBS = '/api/tracklab/v1/artifacts/blobs/';

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// This process is "machine A": its own home (outbox, artifact cache), no artifact root.
const HOME_A = tempDir('tracklab-client-a-');
process.env.TRACKLAB_HOME = HOME_A;
delete process.env.TRACKLAB_ARTIFACT_ROOT;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs a script as another machine: its own TRACKLAB_HOME, the server's URI, nothing shared. Resolves with its last stdout line as JSON. */
function machine(script: string, env: Record<string, string>): Promise<any> {
  const home = tempDir('tracklab-client-b-');
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, TRACKLAB_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve, reject) => child.once('close', (code) => {
    fs.rmSync(home, { recursive: true, force: true });
    if (code !== 0) reject(new Error(`machine B exited ${code}: ${stderr}`));
    else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
  }));
}

/** Uploads of one blob, from the server's request log. */
function uploads(fx: ServerFixture, digest: string): number {
  return fx.log.filter((e) => e.method === 'PUT' && e.path === `${BLOBS}${digest}`).length;
}

for (const kind of testStores()) {
  test(`${kind.name}: files, folders and a model go through the server; another machine downloads them and loads models:/…@alias`, { skip: kind.skip, timeout: 180_000 }, async () => {
    const fx = await startServerFixture(kind);
    const client = new TrackingClient({ trackingUri: fx.url });
    const work = tempDir('tracklab-files-');
    try {
      assert.notEqual(path.resolve(await client.artifactRoot()), path.resolve(fx.store.artifactRoot));
      const run = await client.createRun({ experiment: 'remote-artifacts' });
      fs.writeFileSync(path.join(work, 'notes.txt'), 'hello from machine A\n');
      fs.mkdirSync(path.join(work, 'plots', 'deep'), { recursive: true });
      fs.writeFileSync(path.join(work, 'plots', 'loss.csv'), 'step,loss\n0,1\n1,0.5\n');
      fs.writeFileSync(path.join(work, 'plots', 'deep', 'raw.bin'), randomBytes(70_000));
      await client.logArtifact(run.runId, path.join(work, 'notes.txt'));
      await client.logArtifacts(run.runId, path.join(work, 'plots'), 'plots');
      await client.logArtifact(run.runId, { json: { acc: 0.9 } }, 'eval.json');
      const line = new SimpleLinearRegression([0, 1, 2], [1, 3, 5]);
      const { modelUri } = await logModel(run.runId, line, { client });
      const registry = new RegistryClient({ tracking: client });
      const version = await registry.registerModel(modelUri, 'remote-line');
      assert.equal(version.status, 'READY');
      await registry.setRegisteredModelAlias('remote-line', 'champion', version.version);

      const listed = (await client.listArtifacts(run.runId)).map((e) => e.path);
      assert.deepEqual(listed.filter((p) => !p.startsWith('model/') && !p.startsWith('provenance/')), ['eval.json', 'notes.txt', 'plots/deep/raw.bin', 'plots/loss.csv']);
      assert.ok(listed.includes('model/MLmodel'));
      // The server holds every blob in its own folder.
      const server = new ContentStore(fx.store.artifactRoot);
      for (const e of await client.listArtifacts(run.runId)) assert.ok(await server.has(e.sha256), `${e.path} is on the server`);

      const b = await machine(`
        const tracklab = require(${JSON.stringify(INDEX)});
        const fs = require('node:fs');
        const path = require('node:path');
        (async () => {
          const client = tracklab.getClient();
          const root = await client.artifactRoot();
          const dir = await client.downloadArtifacts('runs:/${run.runId}/plots');
          const notes = (await client.openArtifact('${run.runId}', 'notes.txt')).toString('utf8');
          const raw = fs.readFileSync(path.join(dir, 'deep', 'raw.bin'));
          const model = await tracklab.loadModel('models:/remote-line@champion');
          const fromRun = await tracklab.loadModel('${modelUri}');
          console.log(JSON.stringify({ root, notes, csv: fs.readFileSync(path.join(dir, 'loss.csv'), 'utf8'), raw: require('node:crypto').createHash('sha256').update(raw).digest('hex'),
            predicted: await model.predict([3, 4]), fromRun: await fromRun.predict([3]) }));
        })().catch((err) => { console.error(err && err.stack || err); process.exit(1); });
      `, { TRACKLAB_TRACKING_URI: fx.url });
      assert.ok(!b.root.startsWith(HOME_A) && !b.root.startsWith(path.resolve(fx.store.artifactRoot)), b.root);
      assert.equal(b.notes, 'hello from machine A\n');
      assert.equal(b.csv, 'step,loss\n0,1\n1,0.5\n');
      assert.equal(b.raw, sha256(fs.readFileSync(path.join(work, 'plots', 'deep', 'raw.bin'))));
      assert.deepEqual(b.predicted, [7, 9]);
      assert.deepEqual(b.fromRun, [7]);
    } finally {
      await client.close();
      await fx.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

const [sqlite] = testStores();

test('content the server already has is not sent again: one PUT for the same 2 MiB file logged to two runs and two paths', { timeout: 120_000 }, async () => {
  const fx = await startServerFixture(sqlite!);
  const client = new TrackingClient({ trackingUri: fx.url });
  const work = tempDir('tracklab-files-');
  try {
    const file = path.join(work, 'weights.bin');
    const bytes = randomBytes(2 * 1024 * 1024);
    const digest = sha256(bytes);
    fs.writeFileSync(file, bytes);
    const one = await client.createRun({ experiment: 'dedupe' });
    const two = await client.createRun({ experiment: 'dedupe' });
    await client.logArtifact(one.runId, file);
    assert.equal(uploads(fx, digest), 1);
    await client.logArtifact(one.runId, file, 'copy/weights.bin');
    await client.logArtifact(two.runId, file);
    assert.equal(uploads(fx, digest), 1, 'the same content is uploaded once');
    const asked = fx.log.filter((e) => e.path === '/api/tracklab/v1/artifacts/missing').length;
    assert.ok(asked >= 3, 'each manifest write asks which content the server lacks');
    assert.ok((await client.listArtifacts(two.runId)).some((e) => e.path === 'weights.bin' && e.sha256 === digest));
    console.log(`dedupe: 3 logs of a 2 MiB file -> ${uploads(fx, digest)} upload, ${asked} "missing" questions`);
  } finally {
    await client.close();
    await fx.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('the server stores uploaded content only under its own digest, and hands out content only through a run or version that names it', { timeout: 60_000 }, async () => {
  const fx = await startServerFixture(sqlite!);
  const client = new TrackingClient({ trackingUri: fx.url });
  try {
    const run = await client.createRun({ experiment: 'verify' });
    const bytes = Buffer.from('the real content');
    const claimed = sha256(Buffer.from('something else'));
    const bad = await fetch(`${fx.url}${BLOBS}${claimed}?run_id=${run.runId}`, { method: 'PUT', body: bytes });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /not stored/);
    const server = new ContentStore(fx.store.artifactRoot);
    assert.equal(await server.has(claimed), false);
    assert.equal(await server.has(sha256(bytes)), false);
    assert.deepEqual(fs.readdirSync(server.tmpDir), [], 'no temp file is left');

    const good = await fetch(`${fx.url}${BLOBS}${sha256(bytes)}?run_id=${run.runId}`, { method: 'PUT', body: bytes });
    assert.equal(good.status, 201);
    // Stored, but no manifest names it yet: not downloadable through the run.
    assert.equal((await fetch(`${fx.url}${BLOBS}${sha256(bytes)}?run_id=${run.runId}`)).status, 404);
    assert.equal((await fetch(`${fx.url}${BLOBS}${sha256(bytes)}`)).status, 400);
    assert.equal((await fetch(`${fx.url}${BLOBS}not-a-digest?run_id=${run.runId}`)).status, 400);
  } finally {
    await client.close();
    await fx.close();
  }
});

test('an artifact of the remote client downloads through the MLflow artifact proxy, and one uploaded through the proxy reaches the client', { timeout: 60_000 }, async () => {
  const fx = await startServerFixture(sqlite!);
  const client = new TrackingClient({ trackingUri: fx.url });
  try {
    const run = await client.createRun({ experiment: 'proxy-interop' });
    const report = Buffer.from(JSON.stringify({ f1: 0.8 }));
    await client.logArtifact(run.runId, report, 'reports/report.json');
    const base = `${fx.url}/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.runId}/artifacts`;
    const got = await fetch(`${base}/reports/report.json`);
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), report);
    const list = await (await fetch(`${fx.url}/api/2.0/mlflow/artifacts/list?run_id=${run.runId}&path=reports`)).json() as { files: { path: string }[] };
    assert.deepEqual(list.files.map((f) => f.path), ['reports/report.json']);

    const fromPython = randomBytes(50_000);
    const put = await fetch(`${base}/from-mlflow/data.bin`, { method: 'PUT', body: fromPython });
    assert.equal(put.status, 200);
    // Not in this machine's cache: fetched from the server and verified.
    const cache = new ContentStore(await client.artifactRoot());
    assert.equal(await cache.has(sha256(fromPython)), false);
    assert.deepEqual(await client.openArtifact(run.runId, 'from-mlflow/data.bin'), fromPython);
    const dir = await client.downloadArtifacts({ runId: run.runId, path: 'from-mlflow' });
    assert.deepEqual(fs.readFileSync(path.join(dir, 'data.bin')), fromPython);
    assert.equal(await cache.has(sha256(fromPython)), true);
  } finally {
    await client.close();
    await fx.close();
  }
});

test('an artifact logged while the server is down waits in the cache and outbox and lands once it is back; nothing is lost', { timeout: 120_000 }, async () => {
  const store = sqlite!.create();
  const backend = await openStore(store.uri);
  let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
  const port = Number(new URL(server.url).port);
  const client = new TrackingClient({ trackingUri: server.url });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (line: string) => { warnings.push(String(line)); };
  try {
    const run = await client.createRun({ experiment: 'outage' });
    await server.close();
    const bytes = randomBytes(300_000);
    // It returns once the manifest is queued: training goes on through the outage.
    const [entry] = await client.logArtifact(run.runId, bytes, 'late/checkpoint.bin');
    assert.equal(entry!.sha256, sha256(bytes));
    const cache = new ContentStore(await client.artifactRoot());
    assert.ok(await cache.has(sha256(bytes)), 'the content waits in the cache');
    await until('the unreachable warning', () => warnings.some((w) => /is unreachable/.test(w)), 120_000);
    server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
    // A read waits until this client's earlier writes are delivered.
    assert.ok((await client.listArtifacts(run.runId)).some((e) => e.path === 'late/checkpoint.bin' && e.sha256 === sha256(bytes)));
    assert.ok(await new ContentStore(store.artifactRoot).has(sha256(bytes)));
  } finally {
    console.warn = warn;
    await client.close();
    await server.close();
    await backend.close();
    await store.cleanup();
  }
});
