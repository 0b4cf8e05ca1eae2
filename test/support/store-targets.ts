/**
 * The backends a test can loop over (as Kysely's and Hono's suites do): each
 * makes a fresh, empty store, says how a child process reaches it (its
 * environment) and how a client in the test opens it (its options), and
 * removes it afterwards. SQLite is a temp folder; PostgreSQL a fresh database
 * of the test cluster with a temp artifact folder beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Env } from '../../src/env-names';
import { freshDatabase } from './postgres-cluster';

export interface StoreTarget {
  readonly backend: 'sqlite' | 'postgresql';
  /** Environment of a child process that logs into this store. */
  readonly env: Readonly<Record<string, string>>;
  /** Options for `new TrackingClient(...)` or `configure(...)`. */
  readonly options: { readonly trackingUri: string; readonly artifactRoot?: string };
  /** The SQLite store folder (undefined on PostgreSQL). */
  readonly folder: string | undefined;
  cleanup(): void;
}

function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tracklab-${label}-`));
}

export const STORE_BACKENDS: readonly { readonly name: StoreTarget['backend']; create(): StoreTarget }[] = [
  {
    name: 'sqlite',
    create() {
      const home = tempDir('store');
      return {
        backend: 'sqlite', folder: home, options: { trackingUri: home },
        env: { [Env.home]: home, [Env.trackingUri]: '', [Env.artifactRoot]: '' },
        cleanup: () => fs.rmSync(home, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgresql',
    create() {
      const db = freshDatabase();
      const artifacts = tempDir('artifacts');
      return {
        backend: 'postgresql', folder: undefined, options: { trackingUri: db.uri, artifactRoot: artifacts },
        env: { [Env.trackingUri]: db.uri, [Env.artifactRoot]: artifacts, [Env.home]: '' },
        cleanup() {
          db.drop();
          fs.rmSync(artifacts, { recursive: true, force: true });
        },
      };
    },
  },
];
