/**
 * Brings a PostgreSQL database up to the newest schema. Any number of
 * processes, on any machines, may open a fresh database at once: the missing
 * migrations run in one transaction that first takes a transaction-scoped
 * advisory lock and then re-reads the applied versions, so the first process
 * applies them and the others, once the lock is theirs, find them done.
 * DDL is transactional here, so a failed migration leaves nothing behind.
 */
import { TracklabError } from '../../errors';
import type { Connection, Query } from './connection';
import { migrations as defaultMigrations, type Migration } from './schema';

/** pg_advisory_xact_lock key: the first 8 bytes of sha256("tracklab.migrations"), as a signed bigint. */
const MIGRATION_LOCK = '-1386700281194506120';

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS tracklab_schema_migrations (
  version      integer PRIMARY KEY,
  name         text NOT NULL,
  applied_time bigint NOT NULL
)`;

/** Highest applied version, 0 for a database without tracklab tables. */
export async function schemaVersion(q: Query): Promise<number> {
  const [ledger] = await q<{ present: boolean }>("SELECT to_regclass('tracklab_schema_migrations') IS NOT NULL AS present");
  if (!ledger.present) return 0;
  const [row] = await q<{ v: number | null }>('SELECT MAX(version) AS v FROM tracklab_schema_migrations');
  return row.v ?? 0;
}

/**
 * Applies what is missing; returns the versions this call applied (empty when
 * the database was current, or another process got there first).
 *
 * @example
 * await migrate(conn); // [1, 2, 3] on a fresh database, [] afterwards
 */
export async function migrate(conn: Connection, list: readonly Migration[] = defaultMigrations): Promise<number[]> {
  const newest = list.length ? list[list.length - 1].version : 0;
  // The common case takes no lock: one read says the schema is current.
  const found = await conn.read('open the store', schemaVersion);
  checkNotNewer(found, newest, conn.display);
  if (found === newest) return [];
  return conn.write('migrate the schema', async (q) => {
    await q(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await q(CREATE_LEDGER);
    const current = await schemaVersion(q);
    checkNotNewer(current, newest, conn.display);
    const applied: number[] = [];
    for (const migration of list) {
      if (migration.version <= current) continue;
      await q(migration.sql);
      await q('INSERT INTO tracklab_schema_migrations (version, name, applied_time) VALUES ($1, $2, $3)',
        [migration.version, migration.name, Date.now()]);
      applied.push(migration.version);
    }
    return applied;
  });
}

function checkNotNewer(found: number, newest: number, display: string): void {
  if (found > newest) {
    throw new TracklabError('INVALID_STATE',
      `The PostgreSQL store ${display} has schema version ${found} but this tracklab knows only up to ${newest}: `
      + 'a newer tracklab wrote it. Upgrade tracklab on this machine to use it.');
  }
}
