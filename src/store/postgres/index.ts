export { openPostgresBackend, openPostgresStores, type PostgresBackend } from './postgres-backend';
export { PostgresStore } from './postgres-store';
export { PostgresRegistryStore } from './registry-store';
