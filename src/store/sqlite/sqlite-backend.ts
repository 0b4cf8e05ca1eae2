/**
 * The SQLite backend as `openStore()` sees it: one connection shared by the
 * tracking store and the registry, artifacts by default in `<folder>/artifacts`.
 * SQLite opens and writes synchronously, so it offers the synchronous factory
 * too (the client core's fast path and exit handler use it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../../errors';
import { msg } from '../../messages';
import type { BackendOptions, StoreBackend } from '../backend';
import type { StoreUri } from '../store-uri';
import { openConnection } from './connection';
import { SqliteRegistryStore } from './registry-store';
import { migrations } from './schema';
import { SqliteStore } from './sqlite-store';
import { sqliteTransfer } from './sqlite-transfer';

export function openSqliteBackendSync(uri: StoreUri, options: BackendOptions = {}): StoreBackend {
  if (uri.scheme !== 'sqlite') throw new TypeError(`openSqliteBackendSync got a ${uri.scheme} URI`);
  if (options.mustExist === true && !fs.existsSync(uri.file)) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', msg.noStore(uri.folder, path.basename(uri.file)));
  }
  const conn = openConnection(uri.folder, migrations, uri.file);
  const tracking = new SqliteStore(uri.folder, conn);
  let registry: SqliteRegistryStore | undefined;
  return {
    uri,
    tracking,
    registry: () => (registry ??= new SqliteRegistryStore(uri.folder, conn)),
    defaultArtifactRoot: path.join(uri.folder, 'artifacts'),
    close: async () => conn.close(),
    transfer: () => sqliteTransfer(conn),
  };
}

export async function openSqliteBackend(uri: StoreUri, options: BackendOptions = {}): Promise<StoreBackend> {
  return openSqliteBackendSync(uri, options);
}
