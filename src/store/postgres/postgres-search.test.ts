/** The search grammar suite on a PostgreSQL store (a fresh database of the test cluster). */
import { describeSearchContract } from '../search-contract';
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openConnection } from './connection';
import { openPostgresStores } from './postgres-backend';

describeSearchContract('postgresql', async () => {
  const db = freshDatabase();
  const stores = await openPostgresStores(db.uri);
  const raw = openConnection(db.uri, db.uri);
  return {
    store: stores.tracking,
    async setExperimentTimes(id, created, updated) {
      await raw.query('backdate experiment', 'UPDATE experiments SET creation_time = $1, last_update_time = $2 WHERE experiment_id = $3', [created, updated, id], true);
    },
    async close() {
      await raw.close();
      await stores.close();
      db.drop();
    },
  };
});
