/**
 * The model registry in the embedded SQLite file, the same `tracklab.db` the
 * tracking store uses (tables from migration 2). Each write is one BEGIN
 * IMMEDIATE transaction, so version numbers are allocated race-free across
 * processes, and alias moves are atomic.
 */
import path from 'node:path';
import { TracklabError } from '../../errors';
import type { ModelVersion, PinnedFile, RegisteredModel } from '../../registry-entities';
import type {
  CreatedModelVersion, ModelVersionUpdate, NewModelVersion, NewRegisteredModel, RegisteredModelUpdate, RegistrySearchQuery, RegistryStore,
} from '../registry-store';
import { type Connection, openConnection } from './connection';
import {
  findModel, findVersion, MODEL_SELECT, modelFromRow, type ModelRow, requireModel, requireVersion, VERSION_SELECT, versionFromRow, type VersionRow, writeTags,
} from './registry-rows';
import { compileModelSearch, compileVersionSearch } from '../registry-search-sql';
import { sqliteDialect } from './search-sql';
import { errorCode } from './sqlite-errors';

export class SqliteRegistryStore implements RegistryStore {
  /** `root` is the store folder; the connection may be shared with the tracking store (see sqlite-backend.ts). */
  constructor(readonly root: string, private readonly conn: Connection) {}

  /**
   * Opens the registry of the store in `root` (creating and migrating the file if needed).
   *
   * @example
   * const registry = SqliteRegistryStore.open('.tracklab');
   * const model = await registry.getRegisteredModel('churn');
   */
  static open(root: string): SqliteRegistryStore {
    const absolute = path.resolve(root);
    return new SqliteRegistryStore(absolute, openConnection(absolute));
  }

  async createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel> {
    return this.conn.write(`create registered model "${input.name}"`, () => {
      if (findModel(this.conn, input.name)) throw taken(input.name);
      insertModel(this.conn, input, Date.now());
      return modelFromRow(requireModel(this.conn, input.name));
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.conn.read(`read registered model "${name}"`, () => modelFromRow(requireModel(this.conn, name)));
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.conn.write(`rename registered model "${name}"`, () => {
      const model = requireModel(this.conn, name);
      if (newName !== name && findModel(this.conn, newName)) throw taken(newName);
      this.conn.stmt('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_id = ?').run(newName, Date.now(), model.model_id);
      return modelFromRow(requireModel(this.conn, newName));
    });
  }

  async updateRegisteredModel(name: string, update: RegisteredModelUpdate): Promise<RegisteredModel> {
    return this.conn.write(`update registered model "${name}"`, () => {
      const model = requireModel(this.conn, name);
      if (update.description !== undefined) this.conn.stmt('UPDATE registered_models SET description = ? WHERE model_id = ?').run(update.description, model.model_id);
      writeTags(this.conn, model.model_id, null, update.tags, update.deleteTags);
      touchModel(this.conn, model.model_id);
      return modelFromRow(requireModel(this.conn, name));
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    this.conn.write(`delete registered model "${name}"`, () => {
      const model = requireModel(this.conn, name);
      // Versions, tags, pins and aliases go by ON DELETE CASCADE.
      this.conn.stmt('DELETE FROM registered_models WHERE model_id = ?').run(model.model_id);
    });
  }

  async searchRegisteredModels(query: RegistrySearchQuery): Promise<{ models: readonly RegisteredModel[]; nextOffset: number | null }> {
    const { sql, params } = compileModelSearch(sqliteDialect, MODEL_SELECT, query);
    return this.conn.read('search registered models', () => {
      const rows = this.conn.stmt(sql).all(...params) as ModelRow[];
      const more = rows.length > query.maxResults;
      return { models: rows.slice(0, query.maxResults).map(modelFromRow), nextOffset: more ? query.offset + query.maxResults : null };
    });
  }

  async createModelVersion(input: NewModelVersion): Promise<CreatedModelVersion> {
    return this.conn.write(`register a version of "${input.name}"`, () => {
      const now = Date.now();
      let model = findModel(this.conn, input.name);
      if (!model) {
        if (!input.createModel) requireModel(this.conn, input.name); // throws, with a did-you-mean
        insertModel(this.conn, { name: input.name }, now);
        model = requireModel(this.conn, input.name);
      }
      const same = this.conn.stmt(`SELECT version FROM model_versions WHERE model_id = ? AND content_hash = ?
        AND status <> 'FAILED_REGISTRATION' ORDER BY version LIMIT 1`).get(model.model_id, input.contentHash) as { version: number } | undefined;
      if (same) return { version: versionFromRow(findVersion(this.conn, model.model_id, same.version) as VersionRow), reused: true };

      const { next_version: version } = this.conn.stmt('SELECT next_version FROM registered_models WHERE model_id = ?').get(model.model_id) as { next_version: number };
      this.conn.stmt('UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE model_id = ?').run(version + 1, now, model.model_id);
      this.conn.stmt(`INSERT INTO model_versions (model_id, version, source, run_id, status, description, user_id, content_hash, creation_time, last_updated_time)
        VALUES (?, ?, ?, ?, 'PENDING_REGISTRATION', ?, ?, ?, ?, ?)`).run(
        model.model_id, version, input.source, input.runId, input.description ?? null, input.userId ?? null, input.contentHash, now, now);
      writeTags(this.conn, model.model_id, version, input.tags, undefined);
      this.conn.stmt(`INSERT INTO model_version_files (model_id, version, path, sha256, size)
        SELECT ?, ?, json_extract(value, '$.path'), json_extract(value, '$.sha256'), json_extract(value, '$.size') FROM json_each(?)`)
        .run(model.model_id, version, JSON.stringify(input.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size }))));
      return { version: versionFromRow(findVersion(this.conn, model.model_id, version) as VersionRow), reused: false };
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return this.conn.read(`read version ${version} of "${name}"`, () => versionFromRow(requireVersion(this.conn, name, version).row));
  }

  async getLatestModelVersion(name: string): Promise<ModelVersion> {
    return this.conn.read(`read the latest version of "${name}"`, () => {
      const model = requireModel(this.conn, name);
      const row = this.conn.stmt(`${VERSION_SELECT} WHERE v.model_id = ? AND v.status = 'READY' ORDER BY v.version DESC LIMIT 1`).get(model.model_id) as VersionRow | undefined;
      if (!row) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Registered model "${name}" has no READY version, so models:/${name}/latest names nothing. Register one first.`);
      return versionFromRow(row);
    });
  }

  async updateModelVersion(name: string, version: number, update: ModelVersionUpdate): Promise<ModelVersion> {
    return this.conn.write(`update version ${version} of "${name}"`, () => {
      const { model, row } = requireVersion(this.conn, name, version);
      this.conn.stmt(`UPDATE model_versions SET description = ?, status = ?, status_message = ?, last_updated_time = ?
        WHERE model_id = ? AND version = ?`).run(
        update.description === undefined ? row.description : update.description,
        update.status ?? row.status,
        update.statusMessage === undefined ? row.status_message : update.statusMessage,
        Date.now(), model.model_id, version);
      writeTags(this.conn, model.model_id, version, update.tags, update.deleteTags);
      touchModel(this.conn, model.model_id);
      return versionFromRow(findVersion(this.conn, model.model_id, version) as VersionRow);
    });
  }

  async deleteModelVersion(name: string, version: number): Promise<void> {
    this.conn.write(`delete version ${version} of "${name}"`, () => {
      const { model } = requireVersion(this.conn, name, version);
      // Tags, pins and the aliases pointing here go by ON DELETE CASCADE (MLflow also drops them).
      this.conn.stmt('DELETE FROM model_versions WHERE model_id = ? AND version = ?').run(model.model_id, version);
      touchModel(this.conn, model.model_id);
    });
  }

  async listModelVersionFiles(name: string, version: number): Promise<readonly PinnedFile[]> {
    return this.conn.read(`list the files of version ${version} of "${name}"`, () => {
      const { model } = requireVersion(this.conn, name, version);
      return this.conn.stmt('SELECT path, sha256, size FROM model_version_files WHERE model_id = ? AND version = ? ORDER BY path')
        .all(model.model_id, version) as PinnedFile[];
    });
  }

  async searchModelVersions(query: RegistrySearchQuery): Promise<{ versions: readonly ModelVersion[]; nextOffset: number | null }> {
    const { sql, params } = compileVersionSearch(sqliteDialect, VERSION_SELECT, query);
    return this.conn.read('search model versions', () => {
      const rows = this.conn.stmt(sql).all(...params) as VersionRow[];
      const more = rows.length > query.maxResults;
      return { versions: rows.slice(0, query.maxResults).map(versionFromRow), nextOffset: more ? query.offset + query.maxResults : null };
    });
  }

  async setAlias(name: string, alias: string, version: number): Promise<void> {
    this.conn.write(`set alias "${alias}" of "${name}"`, () => {
      const { model, row } = requireVersion(this.conn, name, version);
      if (row.status !== 'READY') {
        throw new TracklabError('INVALID_STATE', `Version ${version} of "${name}" is ${row.status}, not READY, so an alias cannot point at it`
          + `${row.status_message ? ` (${row.status_message})` : ''}. Register the model again and alias the new version.`);
      }
      this.conn.stmt(`INSERT INTO registered_model_aliases (model_id, alias, version) VALUES (?, ?, ?)
        ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version`).run(model.model_id, alias, version);
      touchModel(this.conn, model.model_id);
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    this.conn.write(`delete alias "${alias}" of "${name}"`, () => {
      const model = requireModel(this.conn, name);
      const result = this.conn.stmt('DELETE FROM registered_model_aliases WHERE model_id = ? AND alias = ?').run(model.model_id, alias);
      if (result.changes === 0) throw noAlias(model, alias);
      touchModel(this.conn, model.model_id);
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.conn.read(`read alias "${alias}" of "${name}"`, () => {
      const model = requireModel(this.conn, name);
      const row = this.conn.stmt(`${VERSION_SELECT} JOIN registered_model_aliases al ON al.model_id = v.model_id AND al.version = v.version
        WHERE al.model_id = ? AND al.alias = ?`).get(model.model_id, alias) as VersionRow | undefined;
      if (!row) throw noAlias(model, alias);
      return versionFromRow(row);
    });
  }

  close(): void {
    this.conn.close();
  }
}

function insertModel(conn: Connection, input: NewRegisteredModel, now: number): void {
  let modelId: number;
  try {
    modelId = Number(conn.stmt(`INSERT INTO registered_models (name, description, creation_time, last_updated_time)
      VALUES (?, ?, ?, ?)`).run(input.name, input.description ?? null, now, now).lastInsertRowid);
  } catch (err) {
    if (errorCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw taken(input.name, err);
    throw err;
  }
  writeTags(conn, modelId, null, input.tags, undefined);
}

function touchModel(conn: Connection, modelId: number): void {
  conn.stmt('UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?').run(Date.now(), modelId);
}

function taken(name: string, cause?: unknown): TracklabError {
  return new TracklabError('RESOURCE_ALREADY_EXISTS',
    `A registered model named "${name}" already exists. Choose another name, or add a version to it with registerModel.`, { cause });
}

function noAlias(model: ModelRow, alias: string): TracklabError {
  const aliases = modelFromRow(model).aliases.map((a) => a.alias);
  return new TracklabError('RESOURCE_DOES_NOT_EXIST', `Registered model "${model.name}" has no alias "${alias}"; `
    + (aliases.length === 0 ? 'it has no aliases. Set one with setRegisteredModelAlias.' : `its aliases are ${aliases.join(', ')}.`));
}
