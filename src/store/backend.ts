/**
 * What a store backend hands to the client: the tracking store, the model
 * registry in the same database, and one close for both. Each backend folder
 * (store/sqlite/, store/postgres/) exports a BackendFactory; `openStore()`
 * (open-store.ts) picks it by URI scheme and is the only caller.
 */
import type { RegistryStore } from './registry-store';
import type { RemoteContent } from './remote-content';
import type { TrackingStore } from './store';
import type { StoreUri } from './store-uri';
import type { StoreTransfer } from './store-transfer';

export interface StoreBackend {
  /** Where the store lives; `uri.display` is the form to show (passwords masked). */
  readonly uri: StoreUri;
  readonly tracking: TrackingStore;
  /** The model registry in the same database, opened on first use. */
  registry(): RegistryStore;
  /** Where artifacts go when no artifact root is configured (SQLite: `<folder>/artifacts`); undefined when the backend has no local folder. */
  readonly defaultArtifactRoot: string | undefined;
  /** Content kept by a server behind `defaultArtifactRoot` (a local cache); see remote-content.ts. */
  readonly remoteContent?: RemoteContent;
  /** Closes the tracking store and the registry (and a connection pool). */
  close(): Promise<void>;
  /** Whole-store export and import, for `tracklab migrate-store` (store-transfer.ts). */
  transfer?(): StoreTransfer;
}

export interface BackendOptions {
  /** At most this many connections at once (the exit writer asks for 1). Default: the backend's own. */
  readonly maxConnections?: number;
  /** Give up connecting after this long, with a message that says so (a notebook cell must not hang). */
  readonly connectTimeoutMs?: number;
  /** Refuse to create a store that is not there (SQLite): a read must not leave an empty store behind a mistyped folder. */
  readonly mustExist?: boolean;
}

/** Opens (creating and migrating when needed) the store at `uri`. Errors are TracklabErrors with masked URIs. */
export type BackendFactory = (uri: StoreUri, options: BackendOptions) => Promise<StoreBackend>;

/**
 * A backend whose writes finish before their Promise is returned (SQLite)
 * can also open synchronously. The client core uses it for its fast path
 * and for ending runs inside `process.on('exit')`; other backends leave it out.
 */
export type SyncBackendFactory = (uri: StoreUri, options: BackendOptions) => StoreBackend;
