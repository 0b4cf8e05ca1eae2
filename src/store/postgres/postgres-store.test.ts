/**
 * The store contract on a real PostgreSQL (a throwaway cluster, see
 * test/support/postgres-cluster.ts), one fresh database per test, opened
 * through `openStore` as the client opens it.
 */
import { describeStoreContract } from '../store-contract';
import { openStore } from '../open-store';
import { freshDatabase } from '../../../test/support/postgres-cluster';

describeStoreContract('postgresql', async () => {
  const db = freshDatabase();
  const backend = await openStore(db.uri);
  return {
    store: backend.tracking,
    async cleanup() {
      await backend.close();
      db.drop();
    },
  };
});
