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

/** The rows `sql` (no parameters) answers. */
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
    return await conn.query<T>('read test rows', sql);
  } finally {
    await conn.close();
  }
}
