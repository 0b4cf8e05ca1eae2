/**
 * `tracklab sync`, end to end with real processes: runs logged with
 * TRACKLAB_MODE=offline into the local store, and writes a session left in
 * its outbox (it exited while the server was down), reach the server whole
 * and exactly once, however often sync runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import type { TrackingStore } from '../../src/store/store';
import { runCliProcess, runNodeProcess } from '../support/cli-io';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';

const INDEX = JSON.stringify(path.join(repoRoot(), 'dist', 'src', 'index.js'));

function node(script: string, env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** A script as its own process, not waited for synchronously: this process's server keeps answering it. */
async function nodeAsync(script: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const { code, stdout, stderr } = await runNodeProcess(['-e', script], env);
  return { stdout, stderr, status: code };
}

/** `tracklab sync` as its own process; asynchronous, so this process's server keeps answering. */
async function sync(url: string, home: string): Promise<string> {
  const { code, stdout, stderr } = await runCliProcess(['sync', '--tracking-uri', url], { TRACKLAB_HOME: home });
  assert.equal(code, 0, stderr + stdout);
  return stdout;
}

async function pointsOf(store: TrackingStore, runId: string): Promise<number[]> {
  return (await store.readMetrics([runId], ['loss'])).flatMap((b) => Array.from(b.steps));
}

/** The outbox files a session left under TRACKLAB_HOME. */
function outboxFiles(home: string): string[] {
  const folder = path.join(home, 'outbox');
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.db')) : [];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

for (const kind of testStores()) {
  test(`${kind.name}: runs logged offline reach the server once, however often sync runs`, { skip: kind.skip, timeout: 240_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-offline-'));
    const backend = await openStore(store.uri);
    const server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    try {
      const logged = node(`
        const t = require(${INDEX});
        (async () => {
          const run = t.startRun({ experiment: 'offline-exp', params: { lr: 0.1 } });
          for (let i = 0; i < 3000; i++) t.log({ loss: 1 / (i + 1) }, i);
          await t.endRun();
          console.log(run.runId);
        })();
      `, { TRACKLAB_MODE: 'offline', TRACKLAB_TRACKING_URI: server.url, TRACKLAB_HOME: home });
      assert.equal(logged.status, 0, logged.stderr);
      const runId = logged.stdout.trim();
      await assert.rejects(backend.tracking.getRun(runId), /No run with id/, 'offline: nothing reached the server');

      const first = await sync(server.url, home);
      assert.match(first, /offline runs: 1 run \(3000 points\) synced/);
      const run = await backend.tracking.getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.params.lr, '0.1');
      assert.equal((await backend.tracking.getExperiment(run.info.experimentId)).name, 'offline-exp');
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000));

      assert.match(await sync(server.url, home), /offline runs: 0 runs \(0 points\) synced/);
      fs.rmSync(path.join(home, 'synced-runs.json')); // forget what was synced: the server has every point already
      assert.match(await sync(server.url, home), /offline runs: 1 run \(0 points\) synced/);
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000));
      assert.equal((await backend.tracking.getRun(runId)).data.metrics.loss?.count, 3000);

      // The run's local history changes before a sync that was cut off (not recorded) is tried again: a key that
      // sorts first gets points. Its slices go under their own (run, key) sequence, so they are sent and the
      // slices sent before are still skipped (numbered across keys, 'acc' took loss's number and was skipped, and
      // loss went again).
      const more = node(`
        const t = require(${INDEX});
        (async () => {
          const client = t.getClient();
          for (let i = 0; i < 500; i++) client.logMetric(${JSON.stringify(runId)}, 'acc', i / 500, i);
          await client.flush();
        })();
      `, { TRACKLAB_MODE: 'offline', TRACKLAB_TRACKING_URI: server.url, TRACKLAB_HOME: home });
      assert.equal(more.status, 0, more.stderr);
      fs.rmSync(path.join(home, 'synced-runs.json'));
      await sync(server.url, home);
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000), 'loss once');
      assert.deepEqual((await backend.tracking.readMetrics([runId], ['acc'])).flatMap((b) => Array.from(b.steps)), range(500), 'acc sent');
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test(`${kind.name}: a run ended with await endRun() while the server is down: the end returns at once, the process exits, sync delivers it FINISHED with every point once`, { skip: kind.skip, timeout: 240_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ended-down-'));
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const url = server.url;
    try {
      const exp = await backend.tracking.ensureExperiment('ended-down');
      await server.close();
      const started = Date.now();
      const logged = node(`
        const t = require(${INDEX});
        (async () => {
          const run = t.startRun({ experiment: ${JSON.stringify(exp.experimentId)}, params: { lr: '0.1' } });
          for (let i = 0; i < 3000; i++) t.log({ loss: i }, i);
          run.setTag('phase', 'done');
          const t0 = performance.now();
          await t.endRun();
          console.log(JSON.stringify({ runId: run.runId, endMs: performance.now() - t0 }));
        })();
      `, { TRACKLAB_TRACKING_URI: url, TRACKLAB_HOME: home });
      assert.equal(logged.status, 0, logged.stderr);
      assert.match(logged.stderr, /is unreachable/);
      assert.match(logged.stdout, /endMs/, logged.stderr);
      const { runId, endMs } = JSON.parse(logged.stdout.trim()) as { runId: string; endMs: number };
      assert.ok(endMs < 1000, `await endRun() took ${endMs} ms with the server down`);
      assert.ok(Date.now() - started < 60_000, 'the process exited without waiting for the server');
      assert.equal(fs.readdirSync(path.join(home, 'outbox')).filter((f) => f.endsWith('.db')).length, 1, 'the outbox kept the run');

      server = await startTrackingServer({ backend, port: Number(new URL(url).port), artifactRoot: store.artifactRoot });
      assert.match(await sync(url, home), /outboxes: \d+ queued writes? from 1 file sent/);
      const run = await backend.tracking.getRun(runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.params.lr, '0.1');
      assert.equal(run.data.tags.phase, 'done');
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000));
      assert.match(await sync(url, home), /outboxes: 0 queued writes from 0 files/);
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000), 'a second sync sends nothing again');
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test(`${kind.name}: with the server up, await endRun() then process.exit() leaves the run FINISHED on the server with every point, nothing for sync`, { skip: kind.skip, timeout: 120_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ended-up-'));
    const backend = await openStore(store.uri);
    const server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    try {
      const logged = await nodeAsync(`
        const t = require(${INDEX});
        (async () => {
          const run = t.startRun({ experiment: 'ended-up' });
          for (let i = 0; i < 3000; i++) t.log({ loss: i }, i);
          await t.endRun();
          console.log(run.runId);
          process.exit(0);
        })();
      `, { TRACKLAB_TRACKING_URI: server.url, TRACKLAB_HOME: home });
      assert.equal(logged.status, 0, logged.stderr);
      const runId = logged.stdout.trim();
      assert.equal((await backend.tracking.getRun(runId)).info.status, 'FINISHED');
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(3000));
      assert.deepEqual(outboxFiles(home), [], 'nothing was left for tracklab sync, not even an empty outbox');
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test(`${kind.name}: a script that ends its run and returns without close() leaves no outbox file; one that leaves its run open leaves the end written at exit, which sync delivers`, { skip: kind.skip, timeout: 120_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-clean-exit-'));
    const backend = await openStore(store.uri);
    const server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    /** A script that logs 500 points to a run, then awaits `run.<finish>()` and returns without close(). */
    const loggingScript = (finish: 'end' | 'flush') => `
      const t = require(${INDEX});
      t.configure({ trackingUri: ${JSON.stringify(server.url)} });
      (async () => {
        const run = t.startRun({ experiment: 'clean-exit' });
        for (let i = 0; i < 500; i++) run.log({ loss: i }, i);
        await run.${finish}();
        console.log(run.runId);
      })();
    `;
    try {
      const clean = await nodeAsync(loggingScript('end'), { TRACKLAB_HOME: home });
      assert.equal(clean.status, 0, clean.stderr);
      assert.equal((await backend.tracking.getRun(clean.stdout.trim())).info.status, 'FINISHED');
      assert.deepEqual(await pointsOf(backend.tracking, clean.stdout.trim()), range(500));
      assert.deepEqual(outboxFiles(home), [], 'the empty outbox was removed at exit');

      // The run's end is written by the exit hook of the client, before or after the outbox is released: it is never lost.
      const open = await nodeAsync(loggingScript('flush'), { TRACKLAB_HOME: home });
      assert.equal(open.status, 0, open.stderr);
      const runId = open.stdout.trim();
      assert.equal(outboxFiles(home).length, 1, 'the end written at exit stays in an outbox');
      assert.match(await sync(server.url, home), /outboxes: 1 queued write from 1 file sent/);
      assert.equal((await backend.tracking.getRun(runId)).info.status, 'FINISHED');
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(500));
      assert.deepEqual(outboxFiles(home), []);
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test(`${kind.name}: writes a session left in its outbox (server down at exit) are sent by sync, once`, { skip: kind.skip, timeout: 240_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outbox-'));
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const url = server.url;
    try {
      const exp = await backend.tracking.ensureExperiment('left');
      await server.close();
      const logged = node(`
        const t = require(${INDEX});
        const run = t.startRun({ experiment: ${JSON.stringify(exp.experimentId)} });
        for (let i = 0; i < 2000; i++) t.log({ loss: i }, i);
        console.log(run.runId);
        // The process ends (as a crashed or impatient script does) once it knows the server is down.
        const warn = console.warn;
        console.warn = (...a) => { warn(...a); if (/unreachable/.test(String(a[0]))) process.exit(0); };
      `, { TRACKLAB_TRACKING_URI: url, TRACKLAB_HOME: home });
      assert.equal(logged.status, 0, logged.stderr);
      assert.match(logged.stderr, /is unreachable/);
      const runId = logged.stdout.trim();
      const left = fs.readdirSync(path.join(home, 'outbox')).filter((f) => f.endsWith('.db'));
      assert.equal(left.length, 1, 'the session left its outbox');

      server = await startTrackingServer({ backend, port: Number(new URL(url).port), artifactRoot: store.artifactRoot });
      assert.match(await sync(url, home), /outboxes: (\d{2,}|[3-9]) queued writes from 1 file sent/);
      const run = await backend.tracking.getRun(runId);
      assert.equal(run.info.status, 'FINISHED', 'the end written at exit arrived too');
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(2000));
      assert.deepEqual(fs.readdirSync(path.join(home, 'outbox')).filter((f) => f.endsWith('.db')), []);
      assert.match(await sync(url, home), /outboxes: 0 queued writes from 0 files/);
      assert.deepEqual(await pointsOf(backend.tracking, runId), range(2000));
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a run the server refuses is named and left for a later sync, the other runs go on, and sync exits 1`, { skip: kind.skip, timeout: 120_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-sync-refused-'));
    const backend = await openStore(store.uri);
    const server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    try {
      // The local store keeps any key; the server takes only the names logMetric takes (data from before that check).
      const local = await openStore(home);
      const exp = await local.tracking.ensureExperiment('offline-refused');
      for (const [runId, key] of [['bad-run', '../climbs-out'], ['good-run', 'loss']] as const) {
        await local.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
        await local.tracking.appendMetrics([{ runId, key, steps: new Float64Array([0, 1]), timestamps: new Float64Array([1, 2]), values: new Float64Array([1, 2]) }]);
        await local.tracking.updateRun(runId, { status: 'FINISHED', endTime: 3 });
      }
      await local.close();
      const { code, stdout, stderr } = await runCliProcess(['sync', '--tracking-uri', server.url], { TRACKLAB_HOME: home });
      const out = stdout + stderr;
      assert.equal(code, 1, out);
      assert.match(out, /not synced: run bad-run \(bad-run\), refused by the server: Invalid metric name "\.\.\/climbs-out"/);
      assert.match(out, /1 refused by the server \(above\), left for a later sync: bad-run/);
      assert.doesNotMatch(out, /\n\s+at /, 'no stack');
      assert.deepEqual(await pointsOf(backend.tracking, 'good-run'), [0, 1], 'the good run went on');
      assert.equal((await backend.tracking.getRun('good-run')).info.status, 'FINISHED');
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
}
