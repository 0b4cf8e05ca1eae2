/**
 * Opens the embedded registry store for a home folder. The SQLite module is
 * required on first use, like the tracking store (src/tracking/open-store.ts).
 */
import type { RegistryStore } from './registry-store';

export function openRegistryStore(home: string): RegistryStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SqliteRegistryStore } = require('../store/sqlite/registry-store') as typeof import('../store/sqlite/registry-store');
  return SqliteRegistryStore.open(home);
}
