/**
 * Applies schema migrations so that any number of processes may open a fresh
 * store at the same moment: each migration runs in its own BEGIN IMMEDIATE
 * transaction that re-reads the version after taking the write lock, so the
 * first process applies it and the others find it done.
 */
import type Database from 'better-sqlite3';
import { TracklabError } from '../../errors';
import { migrations as defaultMigrations, type Migration } from './schema';

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version      INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  applied_time INTEGER NOT NULL
)`;

/** The highest applied migration version, 0 for an empty database. */
export function schemaVersion(db: Database.Database): number {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!ledger) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the schema up to the newest migration. Returns the versions this
 * call applied (empty when another process, or an earlier open, did).
 *
 * @example
 * const db = new Database(file);
 * migrate(db); // [1] on a fresh file, [] afterwards
 */
export function migrate(db: Database.Database, list: readonly Migration[] = defaultMigrations): number[] {
  for (let i = 1; i < list.length; i++) {
    if (list[i].version <= list[i - 1].version) {
      throw new TracklabError('INTERNAL_ERROR', `Migrations must have increasing versions; ${list[i].version} follows ${list[i - 1].version}.`);
    }
  }
  const newest = list.length ? list[list.length - 1].version : 0;
  const found = schemaVersion(db);
  if (found > newest) {
    throw new TracklabError('INVALID_STATE',
      `This store has schema version ${found} but this tracklab knows only up to ${newest}: it was written by a newer tracklab. Upgrade tracklab to open it.`);
  }
  const applied: number[] = [];
  for (const migration of list) {
    if (migration.version <= found) continue;
    const apply = db.transaction(() => {
      db.exec(CREATE_LEDGER);
      if (schemaVersion(db) >= migration.version) return false;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_time) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}
