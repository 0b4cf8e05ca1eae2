export { openPostgresStores, type PostgresOptions, type PostgresStores } from './postgres-backend';
export { PostgresStore } from './postgres-store';
export { PostgresRegistryStore } from './registry-store';
