/**
 * The PostgreSQL backend as `openStore()` sees it (`postgresql://` and
 * `postgres://` URIs): one connection pool shared by the tracking store and
 * the registry, the schema migrated on first open. Connection problems
 * (unreachable server, wrong password, missing database) surface here, as
 * TracklabErrors showing the URI with its password masked. There is no
 * default artifact root: a team names a shared folder (artifactRoot).
 */
import type { BackendOptions, StoreBackend } from '../backend';
import { connectionUri, parseStoreUri, type StoreUri } from '../store-uri';
import { openConnection } from './connection';
import { migrate } from './migrate';
import { PostgresRegistryStore } from './registry-store';
import { PostgresStore } from './postgres-store';
import { postgresTransfer } from './postgres-transfer';

export interface PostgresBackend extends StoreBackend {
  readonly tracking: PostgresStore;
  registry(): PostgresRegistryStore;
  /** Migration versions this open applied (empty when the schema was current). */
  readonly applied: readonly number[];
}

/**
 * Opens the store a PostgreSQL URI names, migrating the schema if needed.
 *
 * @example
 * const backend = await openPostgresBackend(parseStoreUri('postgresql://ana:pw@db:5432/tracklab'), {});
 * try { await backend.tracking.ensureExperiment('Default'); } finally { await backend.close(); }
 */
export async function openPostgresBackend(uri: StoreUri, options: BackendOptions = {}): Promise<PostgresBackend> {
  if (uri.scheme !== 'postgresql') throw new TypeError(`openPostgresBackend got a ${uri.scheme} URI`);
  const conn = openConnection(connectionUri(uri), uri.display, options);
  let applied: number[];
  try {
    applied = await migrate(conn);
  } catch (err) {
    await conn.close();
    throw err;
  }
  const tracking = new PostgresStore(conn);
  let registry: PostgresRegistryStore | undefined;
  return {
    uri,
    tracking,
    registry: () => (registry ??= new PostgresRegistryStore(conn)),
    defaultArtifactRoot: undefined,
    applied,
    close: () => conn.close(),
    transfer: () => postgresTransfer(conn),
  };
}

/** `openPostgresBackend` from a URI string, for tests and tools that hold one. */
export function openPostgresStores(uri: string, options: BackendOptions = {}): Promise<PostgresBackend> {
  return openPostgresBackend(parseStoreUri(uri), options);
}
