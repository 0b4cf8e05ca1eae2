/** The registry contract on a real PostgreSQL (a fresh database of the test cluster per test). */
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openStore } from '../open-store';
import { describeRegistryContract } from '../registry-contract';

describeRegistryContract('postgresql', async () => {
  const db = freshDatabase();
  const backend = await openStore(db.uri);
  return {
    registry: backend.registry(),
    tracking: backend.tracking,
    cleanup: async () => {
      await backend.close();
      db.drop();
    },
  };
});
