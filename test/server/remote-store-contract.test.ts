/**
 * The store, registry and search contracts against the remote store
 * (store/http/): a client opened on `http://127.0.0.1:PORT` of a real
 * tracklab server, whose own store is a SQLite folder in a temp dir or a
 * fresh PostgreSQL database of the shared test cluster. One server per test,
 * in this process; the client's outbox lives in a temp TRACKLAB_HOME.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe } from 'node:test';
import Database from 'better-sqlite3';
import { ContentStore } from '../../src/artifacts/content-store';
import { openStore } from '../../src/store/open-store';
import { describeRegistryContract } from '../../src/store/registry-contract';
import { describeSearchContract } from '../../src/store/search-contract';
import { describeStoreContract } from '../../src/store/store-contract';
import { testStores } from '../support/test-stores';
import { startServerFixture } from './server-fixture';

process.env.TRACKLAB_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-outbox-'));

async function remote(kind: (typeof testStores extends () => readonly (infer K)[] ? K : never)) {
  const fixture = await startServerFixture(kind);
  const client = await openStore(fixture.url);
  return {
    fixture,
    client,
    async cleanup() {
      await client.close();
      await fixture.close();
    },
  };
}

for (const kind of testStores()) {
  describe(`remote store, server on ${kind.name}`, { skip: kind.skip }, () => {
    describeStoreContract(`http (server on ${kind.name})`, async () => {
      const r = await remote(kind);
      const content = new ContentStore(r.fixture.store.artifactRoot);
      return { store: r.client.tracking, cleanup: r.cleanup, putBlob: (bytes: Uint8Array) => content.put(bytes) };
    });

    describeRegistryContract(`http (server on ${kind.name})`, async () => {
      const r = await remote(kind);
      return { registry: r.client.registry(), tracking: r.client.tracking, cleanup: r.cleanup };
    });

    if (kind.name === 'sqlite') {
      describeSearchContract(`http (server on ${kind.name})`, async () => {
        const r = await remote(kind);
        return {
          store: r.client.tracking,
          async setExperimentTimes(id, created, updated) {
            const db = new Database(path.join(r.fixture.store.folder!, 'tracklab.db'));
            db.prepare('UPDATE experiments SET creation_time = ?, last_update_time = ? WHERE experiment_id = ?').run(created, updated, id);
            db.close();
          },
          close: r.cleanup,
        };
      });
    }
  });
}
