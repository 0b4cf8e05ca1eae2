/**
 * The store contract on a real PostgreSQL (a throwaway cluster, see
 * test/support/postgres-cluster.ts), one fresh database per test.
 */
import { describeStoreContract } from '../store-contract';
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openPostgresStores } from './postgres-backend';

describeStoreContract('postgresql', async () => {
  const db = freshDatabase();
  const stores = await openPostgresStores(db.uri, db.uri);
  return {
    store: stores.tracking,
    cleanup: () => db.drop(),
  };
});
