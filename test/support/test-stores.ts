/**
 * The backends end-to-end tests run against, each a real store: SQLite in a
 * temp folder, PostgreSQL in a fresh database of the test cluster (see
 * postgres-cluster.ts). A suite loops over `testStores()` and names the
 * backend in each test's title.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrackingClient } from '../../src/tracking/client';
import { freshDatabase, postgresSkip } from './postgres-cluster';

export interface TestStore {
  /** The tracking URI (a folder for SQLite). */
  readonly uri: string;
  /** Where an embedded store keeps its files; undefined for a server. */
  readonly folder: string | undefined;
  /** An artifact folder for stores that keep no files (a temp folder). */
  readonly artifactRoot: string;
  /** A new client of this store (close it, or let cleanup do so). */
  client(): TrackingClient;
  /** Closes the clients made here and removes the store. */
  cleanup(): Promise<void>;
}

export interface StoreKind {
  readonly name: 'sqlite' | 'postgresql';
  /** Why it cannot run here, if it cannot (the test is skipped with this reason). */
  readonly skip: string | false;
  create(): TestStore;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

function testStore(uri: string, folder: string | undefined, drop: () => void): TestStore {
  const artifactRoot = folder === undefined ? tempDir() : path.join(folder, 'artifacts');
  const clients: TrackingClient[] = [];
  return {
    uri,
    folder,
    artifactRoot,
    client() {
      const client = new TrackingClient({ trackingUri: uri, artifactRoot });
      clients.push(client);
      return client;
    },
    async cleanup() {
      await Promise.allSettled(clients.map((c) => c.close()));
      drop();
      fs.rmSync(artifactRoot, { recursive: true, force: true });
    },
  };
}

export function testStores(): readonly StoreKind[] {
  return [
    {
      name: 'sqlite',
      skip: false,
      create: () => {
        const folder = tempDir();
        return testStore(folder, folder, () => fs.rmSync(folder, { recursive: true, force: true }));
      },
    },
    {
      name: 'postgresql',
      skip: postgresSkip(),
      create: () => {
        const db = freshDatabase();
        return testStore(db.uri, undefined, () => db.drop());
      },
    },
  ];
}
