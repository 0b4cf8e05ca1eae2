/** The search grammar suite on a SQLite store in a temp folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describeSearchContract } from '../search-contract';
import { DB_FILE } from './connection';
import { SqliteStore } from './sqlite-store';

describeSearchContract('sqlite', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-search-'));
  const store = SqliteStore.open(root);
  return {
    store,
    async setExperimentTimes(id, created, updated) {
      const db = new Database(path.join(root, DB_FILE));
      db.prepare('UPDATE experiments SET creation_time = ?, last_update_time = ? WHERE experiment_id = ?').run(created, updated, id);
      db.close();
    },
    async close() {
      store.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
