/**
 * Migration 7 (both backends) scopes ordinary batch ids per run. What a
 * store recorded before keeps guarding the writes it was recorded for:
 * version 6's rows (run known) stay per run, version 5's (no run) stay
 * honoured in applied_batches_unscoped, marks are untouched. After it, the
 * same id for another run is another write, and a batch over several runs
 * sent again is skipped whole. Real SQLite files and PostgreSQL databases,
 * built at version 6 and opened by this tracklab.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../src/store/sqlite/connection';
import { migrate as migrateSqlite } from '../../src/store/sqlite/migrate';
import { migrations as sqliteMigrations } from '../../src/store/sqlite/schema';
import { openConnection } from '../../src/store/postgres/connection';
import { migrate as migratePostgres } from '../../src/store/postgres/migrate';
import { migrations as postgresMigrations } from '../../src/store/postgres/schema';
import { openStore } from '../../src/store/open-store';
import type { TrackingStore } from '../../src/store/store';
import { storeRows } from '../support/store-sql';
import { testStores, type TestStore } from '../support/test-stores';

const OLD_ROWS = [
  "INSERT INTO experiments (experiment_id, name, creation_time, last_update_time) VALUES ('1', 'old', 1, 1)",
  ...['a', 'b', 'c'].map((r) => `INSERT INTO runs (run_id, run_name, experiment_id, status, start_time) VALUES ('${r}', '${r}', '1', 'RUNNING', 1)`),
  "INSERT INTO applied_batches (batch_id, applied_time, run_id) VALUES ('from-v5', 1, NULL)", // recorded before runs were
  "INSERT INTO applied_batches (batch_id, applied_time, run_id) VALUES ('over-a-and-b', 2, 'a')", // version 6: the first run only
  "INSERT INTO applied_batches (batch_id, applied_time, run_id) VALUES ('to-b', 3, 'b')",
  "INSERT INTO applied_sequences (run_id, sender, seq) VALUES ('c', 'sender1', 5)",
];

/** The store at schema version 6, with rows of both eras in applied_batches. */
async function buildVersion6(store: TestStore): Promise<void> {
  if (store.folder !== undefined) {
    const db = new Database(path.join(store.folder, DB_FILE));
    try {
      migrateSqlite(db, sqliteMigrations.filter((m) => m.version <= 6));
      db.transaction(() => { for (const sql of OLD_ROWS) db.exec(sql); })();
    } finally {
      db.close();
    }
    return;
  }
  const conn = openConnection(store.uri, 'test');
  try {
    await migratePostgres(conn, postgresMigrations.filter((m) => m.version <= 6));
    await conn.write('old rows', async (q) => { for (const sql of OLD_ROWS) await q(sql); });
  } finally {
    await conn.close();
  }
}

const block = (runId: string, step: number) => ({
  runId, key: 'loss', steps: new Float64Array([step]), timestamps: new Float64Array([1_700_000_000_000 + step]), values: new Float64Array([step]),
});

async function counts(tracking: TrackingStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const runId of ['a', 'b', 'c']) out[runId] = (await tracking.getRun(runId)).data.metrics.loss?.count ?? 0;
  return out;
}

for (const kind of testStores()) {
  test(`${kind.name}: migration 7 keeps every applied batch id and mark guarding its writes, and scopes new ids per run`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const store = kind.create();
    try {
      await buildVersion6(store);
      const backend = await openStore(store.uri);
      try {
        const t = backend.tracking;
        assert.deepEqual(await storeRows(store, 'SELECT batch_id FROM applied_batches_unscoped'), [{ batch_id: 'from-v5' }]);
        assert.deepEqual(await storeRows(store, 'SELECT run_id, batch_id, applied_time FROM applied_batches ORDER BY run_id'),
          [{ run_id: 'a', batch_id: 'over-a-and-b', applied_time: 2 }, { run_id: 'b', batch_id: 'to-b', applied_time: 3 }]);

        // Writes sent before the upgrade, sent again: all skipped.
        await t.appendMetrics([block('c', 1)], { batchId: 'from-v5' });
        await t.appendMetrics([block('a', 1), block('b', 1)], { batchId: 'over-a-and-b' });
        await t.appendMetrics([block('b', 2)], { batchId: 'to-b' });
        await t.appendMetrics([block('c', 2)], { batchId: 's:sender1:5' });
        assert.deepEqual(await counts(t), { a: 0, b: 0, c: 0 }, 'nothing sent before the upgrade is applied twice');
        await t.appendMetrics([block('c', 3)], { batchId: 's:sender1:6' });
        assert.deepEqual(await counts(t), { a: 0, b: 0, c: 1 }, 'the mark still lets the next write through');

        // After it: one id, two runs, two writes; each sent again is skipped.
        await t.appendMetrics([block('a', 10)], { batchId: 'shared-id' });
        await t.appendMetrics([block('b', 10)], { batchId: 'shared-id' });
        await t.logBatch('c', { tags: { from: 'other client' }, batchId: 'shared-id' });
        assert.deepEqual(await counts(t), { a: 1, b: 1, c: 1 });
        assert.equal((await t.getRun('c')).data.tags.from, 'other client');
        await t.appendMetrics([block('a', 10)], { batchId: 'shared-id' });
        await t.appendMetrics([block('b', 10)], { batchId: 'shared-id' });
        assert.deepEqual(await counts(t), { a: 1, b: 1, c: 1 });

        // A batch over several runs is recorded for each and skipped whole when it comes again, even as part of it.
        await t.appendMetrics([block('b', 20), block('c', 20)], { batchId: 'over-b-and-c' });
        await t.appendMetrics([block('b', 20), block('c', 20)], { batchId: 'over-b-and-c' });
        await t.appendMetrics([block('a', 20), block('c', 20)], { batchId: 'over-b-and-c' });
        assert.deepEqual(await counts(t), { a: 1, b: 2, c: 2 });
        assert.deepEqual(await storeRows(store, "SELECT run_id FROM applied_batches WHERE batch_id = 'over-b-and-c' ORDER BY run_id"),
          [{ run_id: 'b' }, { run_id: 'c' }]);

        // A purged run takes its ids along; the version 5 row stays (it names no run).
        await t.setRunLifecycle('b', 'deleted');
        assert.deepEqual(await t.purgeDeletedRuns(), ['b']);
        assert.deepEqual(await storeRows(store, "SELECT run_id FROM applied_batches WHERE run_id = 'b'"), []);
        assert.equal((await storeRows(store, 'SELECT batch_id FROM applied_batches_unscoped')).length, 1);
      } finally {
        await backend.close();
      }
    } finally {
      await store.cleanup();
    }
  });
}

test('sqlite: migration 7 opens a store whose applied_batches names a run that is gone (deleted with foreign keys off), and drops that row', async () => {
  const store = testStores().find((k) => k.name === 'sqlite')!.create();
  try {
    await buildVersion6(store);
    const db = new Database(path.join(store.folder!, DB_FILE));
    try {
      db.pragma('foreign_keys = OFF'); // as the sqlite3 shell has it by default
      db.exec("INSERT INTO applied_batches (batch_id, applied_time, run_id) VALUES ('of-a-gone-run', 4, 'gone')");
    } finally {
      db.close();
    }
    const opened = await openStore(store.uri);
    try {
      assert.deepEqual(await storeRows(store, "SELECT batch_id FROM applied_batches WHERE run_id = 'gone'"), []);
      assert.deepEqual(await storeRows(store, "SELECT batch_id FROM applied_batches WHERE batch_id = 'to-b'"), [{ batch_id: 'to-b' }], 'the others stay');
    } finally {
      await opened.close();
    }
  } finally {
    await store.cleanup();
  }
});
