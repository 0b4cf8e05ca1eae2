/**
 * The outage test: a training loop (a separate Node process, the fluent
 * API, TRACKLAB_TRACKING_URI=http://127.0.0.1:PORT) logs a point per step
 * while this test stops the tracking server for 5 s and starts it again on
 * the same port. Every point arrives exactly once, and the loop never
 * waited on the network: its longest iteration stays far below the outage.
 * The run ends while the server is still down, and `await endRun()` returns
 * at once (the end is in the outbox, as the points are); once the server is
 * back, the run reads FINISHED with every point, through the loop's own
 * client (read-your-writes) and on the server.
 * Each phase waits for its event (steps logged, the warning, the caught-up
 * line); the 5 s is the outage itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';

const LOOP = `
const tracklab = require(${JSON.stringify(path.join(repoRoot(), 'dist', 'src', 'index.js'))});
let stop = false;
let readBack;
const read = new Promise((resolve) => { readBack = resolve; });
process.stdin.setEncoding('utf8').on('data', (line) => { if (/stop/.test(line)) stop = true; if (/read/.test(line)) readBack(); });
(async () => {
  const run = tracklab.startRun({ experiment: 'outage' });
  let longest = 0;
  let step = 0;
  for (; !stop; step++) {
    const started = performance.now();
    tracklab.log({ loss: 1 / (step + 1), acc: step }, step);
    longest = Math.max(longest, performance.now() - started);
    if (step % 200 === 0) console.log(JSON.stringify({ step }));
    await new Promise((r) => setTimeout(r, 1)); // a training step's own awaits
  }
  const ending = performance.now();
  await tracklab.endRun();
  const endMs = performance.now() - ending;
  console.log(JSON.stringify({ done: true, runId: run.runId, steps: step, longest, endMs }));
  await read;
  const seen = await tracklab.getClient().getRun(run.runId);
  console.log(JSON.stringify({ read: true, status: seen.info.status, acc: seen.data.metrics.acc.count }));
  process.stdin.destroy();
})();
`;

for (const kind of testStores()) {
  test(`${kind.name}: points logged through a 5 s server outage arrive exactly once, and the loop never waits`, { skip: kind.skip, timeout: 240_000 }, async () => {
    const store = kind.create();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outage-'));
    const backend = await openStore(store.uri);
    let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
    const port = Number(new URL(server.url).port);
    const child = spawn(process.execPath, ['-e', LOOP], {
      env: { ...process.env, TRACKLAB_TRACKING_URI: server.url, TRACKLAB_HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const waiters: { test(): boolean; resolve(): void }[] = [];
    const check = () => { for (const w of [...waiters]) if (w.test()) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); } };
    const until = (what: string, test: () => boolean) => new Promise<void>((resolve, reject) => {
      waiters.push({ test, resolve });
      child.once('close', (code) => reject(new Error(`the loop exited (${code}) before ${what}: ${stderr}`)));
      check();
    });
    child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; check(); });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; check(); });
    const stepsSeen = () => [...stdout.matchAll(/"step":(\d+)/g)].map((m) => Number(m[1]));
    const lastStep = () => Math.max(-1, ...stepsSeen());
    try {
      await until('logging 400 steps', () => lastStep() >= 400);
      await server.close();
      const atStop = lastStep();
      await until('the unreachable warning', () => /is unreachable/.test(stderr));
      await new Promise((r) => setTimeout(r, 5_000)); // the outage
      await until('logging on through the outage', () => lastStep() >= atStop + 400);
      // The run ends while the server is still down: endRun() returns once the end is queued in the outbox.
      child.stdin.write('stop\n');
      await until('the end of the run', () => /"done":true/.test(stdout));
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { runId: string; steps: number; longest: number; endMs: number };
      assert.doesNotMatch(stderr, /caught up/, 'the run ended during the outage');
      server = await startTrackingServer({ backend, port, artifactRoot: store.artifactRoot });
      await until('catching up', () => /caught up with the tracking server/.test(stderr));
      child.stdin.write('read\n');
      await until('the read through its own client', () => /"read":true/.test(stdout));
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('close', resolve)));
      const seen = JSON.parse(stdout.trim().split('\n').pop()!) as { status: string; acc: number };
      console.log(`outage (${kind.name}): ${result.steps} steps, longest iteration ${result.longest.toFixed(1)} ms, await endRun() ${result.endMs.toFixed(1)} ms with the server down`);
      assert.ok(result.endMs < 1000, `await endRun() took ${result.endMs} ms while the server was down: it waited on the network`);
      assert.deepEqual(seen, { read: true, status: 'FINISHED', acc: result.steps }, 'read-your-writes through the loop\'s own client');
      assert.ok(result.steps > atStop + 400);
      const blocks = await backend.tracking.readMetrics([result.runId], ['loss']);
      const steps = blocks.flatMap((b) => Array.from(b.steps));
      assert.equal(steps.length, result.steps, 'every point once');
      assert.deepEqual([...new Set(steps)].sort((a, b) => a - b), Array.from({ length: result.steps }, (_, i) => i));
      const run = await backend.tracking.getRun(result.runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.metrics.acc?.count, result.steps);
      assert.equal((stderr.match(/is unreachable/g) ?? []).length, 1, 'one warning for the outage');
      assert.ok(result.longest < 1000, `the longest iteration took ${result.longest} ms: the loop waited on the network`);
      for (const file of fs.readdirSync(path.join(home, 'outbox')).filter((f) => f.endsWith('.db'))) {
        const db = new Database(path.join(home, 'outbox', file), { readonly: true });
        assert.equal((db.prepare('SELECT COUNT(*) AS n FROM ops').get() as { n: number }).n, 0, 'nothing is left in the outbox');
        db.close();
      }
    } finally {
      child.kill();
      await server.close();
      await backend.close();
      await store.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
}
