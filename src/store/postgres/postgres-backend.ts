/**
 * Opening the PostgreSQL backend: one connection pool shared by the tracking
 * store and the registry, the schema migrated on first open. Connection
 * problems (unreachable server, wrong password, missing database) surface
 * here, as TracklabErrors whose messages show the URI with its password masked.
 */
import { type ConnectionOptions, openConnection } from './connection';
import { migrate } from './migrate';
import { PostgresRegistryStore } from './registry-store';
import { PostgresStore } from './postgres-store';

export interface PostgresStores {
  /** The URI with its password masked. */
  readonly display: string;
  readonly tracking: PostgresStore;
  registry(): PostgresRegistryStore;
  /** Migration versions this open applied (empty when the schema was current). */
  readonly applied: readonly number[];
  close(): Promise<void>;
}

export interface PostgresOptions extends ConnectionOptions {
  /** The artifact root, reported as the stores' `root`. */
  readonly artifactRoot?: string;
}

/**
 * Opens the stores of a `postgresql://` URI (also `postgres://`), migrating
 * the schema if needed. `display` is the URI as it may be shown.
 *
 * @example
 * const pg = await openPostgresStores('postgresql://ana:pw@db:5432/tracklab', 'postgresql://ana:***@db:5432/tracklab');
 * try { await pg.tracking.ensureExperiment('Default'); } finally { await pg.close(); }
 */
export async function openPostgresStores(uri: string, display: string, options: PostgresOptions = {}): Promise<PostgresStores> {
  const conn = openConnection(uri, display, options);
  let applied: number[];
  try {
    applied = await migrate(conn);
  } catch (err) {
    await conn.close();
    throw err;
  }
  const root = options.artifactRoot ?? '';
  const tracking = new PostgresStore(conn, root);
  let registry: PostgresRegistryStore | undefined;
  return {
    display,
    tracking,
    registry: () => (registry ??= new PostgresRegistryStore(conn, root)),
    applied,
    close: () => conn.close(),
  };
}
