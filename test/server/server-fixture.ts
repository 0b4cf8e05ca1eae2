/**
 * A real tracking server for tests: `tracklab server`'s app over a real store
 * (a SQLite folder or a fresh PostgreSQL database, see test-stores.ts) on a
 * free loopback port. `close()` stops the server, the store and the clients.
 */
import { startTrackingServer, type RequestLogEntry, type TrackingServer, type TrackingServerOptions } from '../../src/server/tracking-server';
import type { StoreBackend } from '../../src/store/backend';
import { openStore } from '../../src/store/open-store';
import type { StoreKind, TestStore } from '../support/test-stores';

export interface ServerFixture {
  readonly store: TestStore;
  readonly backend: StoreBackend;
  readonly server: TrackingServer;
  readonly url: string;
  readonly log: RequestLogEntry[];
  close(): Promise<void>;
}

export async function startServerFixture(kind: StoreKind, options: Partial<TrackingServerOptions> = {}): Promise<ServerFixture> {
  const store = kind.create();
  const backend = await openStore(store.uri);
  const log: RequestLogEntry[] = [];
  const server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot, log: (e) => log.push(e), ...options });
  return {
    store, backend, server, url: server.url, log,
    async close() {
      await server.close();
      await backend.close();
      await store.cleanup();
    },
  };
}

/** An API call with fetch: the status and the parsed JSON body. */
export async function api(url: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const target = new URL(`/api/2.0/mlflow/${path}`, url);
  if (method === 'GET' && body !== undefined) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v]) target.searchParams.append(k, String(item));
    }
  }
  const res = await fetch(target, {
    method,
    headers: method !== 'GET' ? { 'content-type': 'application/json', ...headers } : headers,
    body: method !== 'GET' ? (typeof body === 'string' ? body : JSON.stringify(body ?? {})) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

/**
 * A store that is slow for real: another connection takes an ACCESS EXCLUSIVE
 * lock on `table` of a PostgreSQL store, so every query of the server on it
 * waits until `release()`. Resolves once the lock is held.
 */
export async function holdTableLock(uri: string, table: string): Promise<{ release(): Promise<void> }> {
  const { Client } = await import('pg');
  const holder = new Client({ connectionString: uri });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await holder.query('COMMIT');
      await holder.end();
    },
  };
}
