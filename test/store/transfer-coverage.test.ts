/**
 * migrate-store copies what TRANSFER_COLUMNS names, so a table or column
 * added to either schema without it would be lost in a move, silently (the
 * verification hashes only what is copied). This reads both live schemas,
 * after every migration, and checks that each user column is carried or is
 * one of the few stated below that the backend derives.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store';
import { SQLITE_FILE } from '../../src/store/store-uri';
import { TRANSFER_COLUMNS, TRANSFER_KEYS, TRANSFER_TABLES } from '../../src/store/store-transfer';
import { freshDatabase, testCluster } from '../support/postgres-cluster';

/**
 * Tables a move must not copy: the migration ledgers (each backend writes its own), SQLite's journal, which the
 * export folds into its tables first, and the ids and marks of applied batches, which only guard resends to the server
 * that received them (a client retrying across a store move would send to a new server anyway).
 */
const NOT_COPIED = new Set(['schema_migrations', 'tracklab_schema_migrations', 'run_journal', 'applied_batches', 'applied_batches_unscoped', 'applied_sequences']);
/**
 * Columns a backend derives, so a move need not carry them. SQLite keeps a
 * summary's NaN and -0 in flag columns, which the export folds into plain
 * floats (sqlite-transfer.ts). PostgreSQL notes the server's clock at each
 * heartbeat (run-reaper.ts); a copied run has heard none on the new server,
 * which the reaping rule reads as quiet, as it should.
 */
type Derived = Readonly<Record<string, readonly string[]>>;
const SQLITE_DERIVED: Derived = { metric_summaries: ['last_is_nan', 'neg_zero_mask'] };
const POSTGRES_DERIVED: Derived = { runs: ['heartbeat_seen'] };

type Schema = Record<string, string[]>;

function expected(): Schema {
  return Object.fromEntries(TRANSFER_TABLES.map((t) => [t, [...TRANSFER_COLUMNS[t]].sort()]));
}

function carried(schema: Schema, derived: Derived): Schema {
  return Object.fromEntries(Object.entries(schema)
    .filter(([table]) => !NOT_COPIED.has(table))
    .map(([table, columns]) => [table, columns.filter((c) => !(derived[table] ?? []).includes(c)).sort()]));
}

describe('migrate-store carries every table and column', () => {
  it('of the SQLite schema', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-coverage-'));
    try {
      await (await openStore(folder)).close();
      const db = new Database(path.join(folder, SQLITE_FILE), { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
      const schema: Schema = Object.fromEntries(tables.map((t) => [t, (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name)]));
      db.close();
      assert.deepEqual(carried(schema, SQLITE_DERIVED), expected());
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('of the PostgreSQL schema, with each table keyed as the export orders it', async () => {
    const db = freshDatabase();
    try {
      await (await openStore(db.uri)).close();
      const rows = testCluster().psql(`SELECT table_name || '.' || column_name FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY 1`, db.name).trim().split('\n');
      const schema: Schema = {};
      for (const row of rows) {
        const [table, column] = row.split('.');
        (schema[table] ??= []).push(column);
      }
      assert.deepEqual(carried(schema, POSTGRES_DERIVED), expected());
      const keys = testCluster().psql(`SELECT c.relname || ':' || string_agg(a.attname, ',' ORDER BY k.ord)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary GROUP BY c.relname`, db.name).trim().split('\n');
      const primary = Object.fromEntries(keys.map((k) => k.split(':')).map(([t, cols]) => [t, cols.split(',')]));
      for (const table of TRANSFER_TABLES) assert.deepEqual(primary[table], [...TRANSFER_KEYS[table]], table);
    } finally {
      db.drop();
    }
  });
});
