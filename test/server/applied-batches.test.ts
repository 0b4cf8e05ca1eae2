/**
 * The idempotency record stays bounded: a remote store numbers its batches
 * (batch-sequence.ts), so the server keeps one mark per (run, sender)
 * however many batches arrive, and a replay of every old batch (an outbox
 * copied before delivery, sent again later by `tracklab sync`'s delivery)
 * duplicates no point. Batch ids of other forms are still honoured, and
 * every record goes with its run when the run is purged. Real server, real
 * SQLite and PostgreSQL stores, the remote store's own outbox and sender.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../src/store/sqlite/connection';
import { openConnection } from '../../src/store/postgres/connection';
import { Outbox } from '../../src/store/sqlite/outbox-file';
import { deliverOutboxes } from '../../src/store/http/outbox-sync';
import type { HttpStore } from '../../src/store/http/http-store';
import { openStore } from '../../src/store/open-store';
import { parseStoreUri } from '../../src/store/store-uri';
import { testStores, type TestStore } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from './server-fixture';

const RUNS = 5;
const BATCHES = 50;
const POINTS = 10;

async function records(store: TestStore): Promise<{ sequences: number; batches: number }> {
  const sql = 'SELECT (SELECT count(*) FROM applied_sequences) AS sequences, (SELECT count(*) FROM applied_batches) AS batches';
  if (store.folder !== undefined) {
    const db = new Database(path.join(store.folder, DB_FILE), { readonly: true });
    try {
      return db.prepare(sql).get() as { sequences: number; batches: number };
    } finally {
      db.close();
    }
  }
  const conn = openConnection(store.uri, 'test');
  try {
    const [row] = await conn.query<{ sequences: string; batches: string }>('count records', sql);
    return { sequences: Number(row!.sequences), batches: Number(row!.batches) };
  } finally {
    await conn.close();
  }
}

const block = (runId: string, from: number) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: POINTS }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: POINTS }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: POINTS }, (_, i) => 1 / (from + i + 1)),
});

for (const kind of testStores()) {
  test(`${kind.name}: ${RUNS * BATCHES * 2} batches over ${RUNS} runs leave one record per run and sender; replaying every one of them later duplicates nothing; purging the runs removes their records`, { skip: kind.skip, timeout: 240_000 }, () => withTempHome('tracklab-applied-', async (home) => {
    const f = await startServerFixture(kind);
    const remote = await openStore(f.url);
    try {
      const exp = await f.backend.tracking.ensureExperiment('bounded');
      const runIds = Array.from({ length: RUNS }, (_, r) => `bounded${r}`);
      for (const runId of runIds) await remote.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
      // Every batch issued before any is delivered, so the outbox holds them all: copied now, it is a replay of each.
      const writes: Promise<unknown>[] = [];
      for (let b = 0; b < BATCHES; b++) {
        for (const runId of runIds) {
          writes.push(remote.tracking.appendMetrics([block(runId, b * POINTS)]));
          writes.push(remote.tracking.logBatch(runId, { metrics: [{ key: 'acc', value: b, step: b, timestamp: 1_700_000_000_000 + b }] }));
        }
      }
      const outboxFile = new Database((remote.tracking as HttpStore).sender.outbox.file, { readonly: true });
      const ops = outboxFile.prepare('SELECT kind, body, points FROM ops ORDER BY seq').all() as { kind: 'blocks' | 'call'; body: Buffer; points: number }[];
      outboxFile.close();
      assert.ok(ops.length >= RUNS * BATCHES * 2, `the outbox held ${ops.length} writes`);
      await Promise.all(writes);

      const expectPoints = async () => {
        for (const runId of runIds) {
          const run = await f.backend.tracking.getRun(runId);
          assert.equal(run.data.metrics.loss?.count, BATCHES * POINTS, `loss of ${runId}`);
          assert.equal(run.data.metrics.acc?.count, BATCHES, `acc of ${runId}`);
          const steps = (await f.backend.tracking.readMetrics([runId], ['loss'])).flatMap((b) => [...b.steps]);
          assert.deepEqual(steps, Array.from({ length: BATCHES * POINTS }, (_, i) => i));
        }
      };
      await expectPoints();
      assert.deepEqual(await records(f.store), { sequences: RUNS, batches: 0 }, 'one mark per run for the one sender, no row per batch');

      // Later (a session's outbox sent again by tracklab sync): a dead process's outbox file holding every old batch.
      const left = path.join(home, 'left');
      const copy = Outbox.create(left, parseStoreUri(f.url).display, { pid: 2 ** 22 + 7, host: os.hostname(), processStart: 'proc:1' });
      for (const op of ops) copy.add(op.kind, op.body, op.points);
      copy.close();
      const report = await deliverOutboxes(parseStoreUri(f.url), () => undefined, left);
      assert.equal(report.sent, ops.length, 'every old write was sent again');
      await expectPoints();
      assert.deepEqual(await records(f.store), { sequences: RUNS, batches: 0 });

      // A batch id of another form is honoured once, and recorded against its run.
      for (let i = 0; i < 2; i++) await f.backend.tracking.appendMetrics([block(runIds[0]!, 10_000)], { batchId: 'legacy-form' });
      assert.equal((await f.backend.tracking.getRun(runIds[0]!)).data.metrics.loss?.count, BATCHES * POINTS + POINTS);
      assert.deepEqual(await records(f.store), { sequences: RUNS, batches: 1 });

      // Purged runs take their records with them.
      for (const runId of runIds) await f.backend.tracking.setRunLifecycle(runId, 'deleted');
      assert.deepEqual([...await f.backend.tracking.purgeDeletedRuns()].sort(), runIds);
      assert.deepEqual(await records(f.store), { sequences: 0, batches: 0 });
    } finally {
      await remote.close();
      await f.close();
    }
  }));
}
