/** The registry contract on a SQLite store in a temp folder, opened through openStore. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../open-store';
import { describeRegistryContract } from '../registry-contract';

describeRegistryContract('sqlite', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-registry-'));
  const backend = await openStore(root);
  return {
    registry: backend.registry(),
    async cleanup() {
      await backend.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
});
