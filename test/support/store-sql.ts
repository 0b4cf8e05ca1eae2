/**
 * Reads rows straight from a test store's tables (SQLite file or PostgreSQL
 * database), for tests that check what the store keeps beside what its
 * contract answers: idempotency records, migrated rows.
 */
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../src/store/sqlite/connection';
import { openConnection } from '../../src/store/postgres/connection';
import type { TestStore } from './test-stores';

/** The rows `sql` (no parameters) answers; PostgreSQL's bigint counts come back as numbers. */
export async function storeRows<T extends Record<string, unknown>>(store: TestStore, sql: string): Promise<T[]> {
  if (store.folder !== undefined) {
    const db = new Database(path.join(store.folder, DB_FILE), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const conn = openConnection(store.uri, 'test');
  try {
    const rows = await conn.query<Record<string, unknown>>('read test rows', sql);
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^count|^seq$|^n$/.test(k) ? Number(v) : v])) as T);
  } finally {
    await conn.close();
  }
}
