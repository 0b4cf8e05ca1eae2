/**
 * Opens the embedded store for a home folder. The SQLite module (and with it
 * the native better-sqlite3 addon) is required on first use, not when
 * tracklab is imported, to keep `require('tracklab')` cheap.
 */
import type { TrackingStore } from '../store/store';

type SqliteModule = typeof import('../store/sqlite/sqlite-store');

export function openStore(home: string): TrackingStore {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { SqliteStore } = require('../store/sqlite/sqlite-store') as SqliteModule;
  return SqliteStore.open(home);
}
