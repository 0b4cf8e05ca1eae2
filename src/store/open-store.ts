/**
 * The one composition root of stores: a URI scheme picks a backend factory,
 * and nothing else constructs a backend. Each backend module is required on
 * first use, so `require('tracklab')` loads no database driver.
 *
 * Each backend folder exports its factory:
 * - store/sqlite/sqlite-backend.ts: `openSqliteBackend`, `openSqliteBackendSync`;
 * - store/postgres/postgres-backend.ts: `openPostgresBackend`;
 * - store/http/http-backend.ts: `openHttpBackend`, `openHttpBackendSync` (a tracklab server).
 */
import * as path from 'node:path';
import { TracklabError } from '../errors';
import type { BackendFactory, BackendOptions, StoreBackend, SyncBackendFactory } from './backend';
import type { TrackingStore } from './store';
import { parseStoreUri, type StoreScheme, type StoreUri } from './store-uri';

interface BackendModule {
  readonly open: BackendFactory;
  readonly openSync?: SyncBackendFactory;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const backends: Record<StoreScheme, () => BackendModule> = {
  sqlite: () => {
    const m = require('./sqlite/sqlite-backend') as typeof import('./sqlite/sqlite-backend');
    return { open: m.openSqliteBackend, openSync: m.openSqliteBackendSync };
  },
  postgresql: () => {
    const m = requireBackend('./postgres/postgres-backend', 'PostgreSQL') as { openPostgresBackend: BackendFactory };
    return { open: m.openPostgresBackend };
  },
  http: () => {
    const m = require('./http/http-backend') as typeof import('./http/http-backend');
    return { open: m.openHttpBackend, openSync: m.openHttpBackendSync };
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Opens the store a URI names (a folder, `sqlite:///…`, `postgresql://…`).
 * @example const backend = await openStore('postgresql://ana@db:5432/tracklab'); try { ... } finally { await backend.close(); }
 */
export async function openStore(uri: string | StoreUri, options: BackendOptions = {}): Promise<StoreBackend> {
  const parsed = typeof uri === 'string' ? parseStoreUri(uri) : uri;
  return backends[parsed.scheme]().open(parsed, options);
}

/**
 * The store opened before returning, when its backend can (SQLite);
 * undefined when it opens only asynchronously. For the client core's fast
 * path and its exit handler; everything else uses `openStore`.
 */
export function openStoreSync(uri: StoreUri, options: BackendOptions = {}): StoreBackend | undefined {
  return backends[uri.scheme]().openSync?.(uri, options);
}

/** Whether the backend of this URI opens (and writes) synchronously. Loads the backend module, not the store. */
export function opensSynchronously(uri: StoreUri): boolean {
  return backends[uri.scheme]().openSync !== undefined;
}

/**
 * A tracking store the caller opened, seen as the backend at `uri`: the
 * client uses it without closing it. Its registry is not known: give
 * RegistryClient its own store.
 */
export function backendOf(store: TrackingStore, uri: StoreUri): StoreBackend {
  return {
    uri,
    tracking: store,
    registry: () => {
      throw new TracklabError('INVALID_STATE', 'This client was given a tracking store, so it does not know its registry. Pass the registry store to RegistryClient({ store }).');
    },
    defaultArtifactRoot: uri.scheme === 'sqlite' ? path.join(uri.folder, 'artifacts') : undefined,
    close: async () => undefined,
  };
}

function requireBackend(id: string, name: string): unknown {
  try {
    return require(id);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((err as Error).message).includes(id.slice(2))) throw err;
    throw new TracklabError('INVALID_STATE', `This build of tracklab has no ${name} store backend.`, { cause: err });
  }
}
