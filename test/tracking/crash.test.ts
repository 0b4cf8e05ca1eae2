/**
 * How a process's runs end, on every backend (test/support/store-targets.ts):
 * killed (CRASHED, found by the next client), failed, terminated, or exiting
 * without endRun. The child logs through the public API only.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { TrackingClient } from '../../src/tracking/client';
import { STORE_BACKENDS, type StoreTarget } from '../support/store-targets';
import { spawnChild } from './spawn-child';

/** SQLite's own integrity check of the file; other backends have nothing to check here. */
function integrity(target: StoreTarget): string {
  const home = target.folder;
  if (home === undefined) return 'ok';
  const file = fs.readdirSync(home).find((f) => f.endsWith('.db'));
  assert.ok(file, `no database file in ${home}`);
  const db = new Database(path.join(home, file), { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

for (const backend of STORE_BACKENDS) describe(`run endings on ${backend.name}`, () => {
const targets: StoreTarget[] = [];
const clients: TrackingClient[] = [];
function store(): StoreTarget {
  const target = backend.create();
  targets.push(target);
  return target;
}
function client(target: StoreTarget): TrackingClient {
  const c = new TrackingClient(target.options);
  clients.push(c);
  return c;
}
after(async () => {
  for (const c of clients) await c.close();
  for (const t of targets) t.cleanup();
});

test('a SIGKILLed process leaves its run CRASHED with every flushed point intact', async () => {
  const home = store();
  const n = 20_000;
  const child = spawnChild(home, ['sigkill', String(n)]);
  const runId = await child.ready;
  child.proc.kill('SIGKILL');
  const result = await child.done;
  assert.equal(result.signal, 'SIGKILL');

  const reader = client(home); // opening the store reaps dead owners
  const run = await reader.getRun(runId);
  assert.equal(run.info.status, 'CRASHED');
  assert.match(run.info.statusMessage ?? '', /exited without ending the run/);
  assert.ok(run.info.endTime !== null);
  assert.equal(run.data.metrics.loss.count, n);
  assert.equal(run.data.metrics.acc.lastStep, n - 1);
  const history = await reader.metricHistory(runId, ['loss']);
  assert.equal(history.numRows, n);
  const values = history.getChild('value')!.toArray() as Float64Array;
  for (let i = 0; i < n; i += 997) assert.equal(values[i], 1 / (i + 1));
  assert.equal(integrity(home), 'ok');
});

test('an uncaught exception ends the run FAILED with its message, then exits 1 as usual', async () => {
  const home = store();
  const result = await spawnChild(home, ['throw']).done;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /TypeError: exploded in/);
  const { runs } = await client(home).searchRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].info.status, 'FAILED');
  assert.match(runs[0].info.statusMessage ?? '', /^Uncaught exception: TypeError: exploded in [a-z]+-[a-z]+-\d{3}$/);
  assert.equal(runs[0].data.metrics.loss.count, 1);
});

test('an unhandled rejection ends the run FAILED', async () => {
  const home = store();
  const result = await spawnChild(home, ['reject']).done;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /nobody caught this/);
  const { runs } = await client(home).searchRuns();
  assert.equal(runs[0].info.status, 'FAILED');
  assert.match(runs[0].info.statusMessage ?? '', /Error: nobody caught this/);
});

test('SIGTERM ends the run KILLED and exits with 128 + 15', async () => {
  const home = store();
  const child = spawnChild(home, ['sigterm', '500']);
  const runId = await child.ready;
  child.proc.kill('SIGTERM');
  const result = await child.done;
  assert.equal(result.code, 143);
  const run = await client(home).getRun(runId);
  assert.equal(run.info.status, 'KILLED');
  assert.equal(run.info.statusMessage, 'Received SIGTERM');
  assert.equal(run.data.metrics.loss.count, 500);
});

test('a normal exit without endRun flushes the buffer and ends the run FINISHED', async () => {
  const home = store();
  const n = 3000;
  const result = await spawnChild(home, ['exit', String(n)]).done;
  assert.equal(result.code, 0, result.stderr);
  const runId = /READY (\S+)/.exec(result.stdout)![1];
  const run = await client(home).getRun(runId);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.data.metrics.loss.count, n);
  assert.equal(run.data.params.mode, 'exit');
  assert.equal(integrity(home), 'ok');
});

test('a process exiting in the same stretch of code that started its run still stores it, ended FINISHED', async () => {
  const home = store();
  const result = await spawnChild(home, ['exit-at-once']).done;
  assert.equal(result.code, 0, result.stderr);
  const runId = /READY (\S+)/.exec(result.stdout)![1];
  const run = await client(home).getRun(runId);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.data.params.mode, 'exit-at-once');
  assert.equal(run.data.metrics.loss.last, 0.5);
  assert.equal(integrity(home), 'ok');
});
});
