/** The registry contract on PostgreSQL: a fresh database of the test cluster per test, opened through openStore. */
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openStore } from '../open-store';
import { describeRegistryContract } from '../registry-contract';

describeRegistryContract('postgresql', async () => {
  const db = freshDatabase();
  const backend = await openStore(db.uri);
  return {
    registry: backend.registry(),
    async cleanup() {
      await backend.close();
      db.drop();
    },
  };
});
