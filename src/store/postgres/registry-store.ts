/**
 * The model registry in the team's PostgreSQL database (tables of migration
 * 2). Version numbers are allocated race-free across processes and machines:
 * registering locks the model's row (FOR UPDATE), so the content-hash reuse
 * check and the `next_version` increment of concurrent registrations run one
 * after another, and numbers come out distinct and consecutive.
 */
import { TracklabError } from '../../errors';
import type { ModelVersion, PinnedFile, RegisteredModel } from '../../registry-entities';
import type {
  CreatedModelVersion, ModelVersionUpdate, NewModelVersion, NewRegisteredModel, RegisteredModelUpdate, RegistrySearchQuery, RegistryStore,
} from '../registry-store';
import type { Connection, Query } from './connection';
import {
  findModel, findVersion, listFiles, MODEL_SELECT, modelFromRow, type ModelRow, requireModel, requireVersion, VERSION_SELECT, versionFromRow,
  type VersionRow, writeTags,
} from './registry-rows';
import { compileModels, compileVersions } from './search-sql';

export class PostgresRegistryStore implements RegistryStore {
  constructor(private readonly conn: Connection) {}

  async createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel> {
    return this.conn.write(`create registered model "${input.name}"`, async (q) => {
      if (!(await insertModel(q, input, Date.now()))) throw taken(input.name);
      return modelFromRow(await requireModel(q, input.name));
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.conn.read(`read registered model "${name}"`, async (q) => modelFromRow(await requireModel(q, name)));
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.conn.write(`rename registered model "${name}"`, async (q) => {
      const model = await requireModel(q, name, true);
      if (newName !== name && await findModel(q, newName)) throw taken(newName);
      await q('UPDATE registered_models SET name = $1, last_updated_time = $2 WHERE model_id = $3', [newName, Date.now(), model.model_id]);
      return modelFromRow(await requireModel(q, newName));
    });
  }

  async updateRegisteredModel(name: string, update: RegisteredModelUpdate): Promise<RegisteredModel> {
    return this.conn.write(`update registered model "${name}"`, async (q) => {
      const model = await requireModel(q, name, true);
      if (update.description !== undefined) await q('UPDATE registered_models SET description = $1 WHERE model_id = $2', [update.description, model.model_id]);
      await writeTags(q, model.model_id, null, update.tags, update.deleteTags);
      await touchModel(q, model.model_id);
      return modelFromRow(await requireModel(q, name));
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.conn.write(`delete registered model "${name}"`, async (q) => {
      const model = await requireModel(q, name, true);
      // Versions, tags, pins and aliases go by ON DELETE CASCADE.
      await q('DELETE FROM registered_models WHERE model_id = $1', [model.model_id]);
    });
  }

  async searchRegisteredModels(query: RegistrySearchQuery): Promise<{ models: readonly RegisteredModel[]; nextOffset: number | null }> {
    const { sql, params } = compileModels(MODEL_SELECT, query);
    const rows = await this.conn.query<ModelRow>('search registered models', sql, params);
    const more = rows.length > query.maxResults;
    return { models: rows.slice(0, query.maxResults).map(modelFromRow), nextOffset: more ? query.offset + query.maxResults : null };
  }

  async createModelVersion(input: NewModelVersion): Promise<CreatedModelVersion> {
    return this.conn.write(`register a version of "${input.name}"`, async (q) => {
      const now = Date.now();
      let model = await findModel(q, input.name, true);
      if (!model) {
        if (!input.createModel) await requireModel(q, input.name); // throws, with a did-you-mean
        // Another process may create it at the same moment: then this insert does nothing and the lock below waits for theirs.
        await insertModel(q, { name: input.name }, now);
        model = await requireModel(q, input.name, true);
      }
      const [same] = await q<{ version: number }>(`SELECT version FROM model_versions WHERE model_id = $1 AND content_hash = $2
        AND status <> 'FAILED_REGISTRATION' ORDER BY version LIMIT 1`, [model.model_id, input.contentHash]);
      if (same) return { version: versionFromRow(await findVersion(q, model.model_id, same.version) as VersionRow), reused: true };

      const [{ version }] = await q<{ version: number }>(`UPDATE registered_models SET next_version = next_version + 1, last_updated_time = $1
        WHERE model_id = $2 RETURNING next_version - 1 AS version`, [now, model.model_id]);
      await q(`INSERT INTO model_versions (model_id, version, source, run_id, status, description, user_id, content_hash, creation_time, last_updated_time)
        VALUES ($1, $2, $3, $4, 'PENDING_REGISTRATION', $5, $6, $7, $8, $8)`,
      [model.model_id, version, input.source, input.runId, input.description ?? null, input.userId ?? null, input.contentHash, now]);
      await writeTags(q, model.model_id, version, input.tags, undefined);
      if (input.files.length > 0) {
        await q(`INSERT INTO model_version_files (model_id, version, path, sha256, size)
          SELECT $1::bigint, $2::integer, * FROM unnest($3::text[], $4::text[], $5::bigint[])`,
        [model.model_id, version, input.files.map((f) => f.path), input.files.map((f) => f.sha256), input.files.map((f) => f.size)]);
      }
      return { version: versionFromRow(await findVersion(q, model.model_id, version) as VersionRow), reused: false };
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return this.conn.read(`read version ${version} of "${name}"`, async (q) => versionFromRow((await requireVersion(q, name, version)).row));
  }

  async getLatestModelVersion(name: string): Promise<ModelVersion> {
    return this.conn.read(`read the latest version of "${name}"`, async (q) => {
      const model = await requireModel(q, name);
      const [row] = await q<VersionRow>(`${VERSION_SELECT} WHERE v.model_id = $1 AND v.status = 'READY' ORDER BY v.version DESC LIMIT 1`, [model.model_id]);
      if (!row) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Registered model "${name}" has no READY version, so models:/${name}/latest names nothing. Register one first.`);
      return versionFromRow(row);
    });
  }

  async updateModelVersion(name: string, version: number, update: ModelVersionUpdate): Promise<ModelVersion> {
    return this.conn.write(`update version ${version} of "${name}"`, async (q) => {
      const { model, row } = await requireVersion(q, name, version, true);
      await q(`UPDATE model_versions SET description = $1, status = $2, status_message = $3, last_updated_time = $4
        WHERE model_id = $5 AND version = $6`, [
        update.description === undefined ? row.description : update.description,
        update.status ?? row.status,
        update.statusMessage === undefined ? row.status_message : update.statusMessage,
        Date.now(), model.model_id, version]);
      await writeTags(q, model.model_id, version, update.tags, update.deleteTags);
      await touchModel(q, model.model_id);
      return versionFromRow(await findVersion(q, model.model_id, version) as VersionRow);
    });
  }

  async deleteModelVersion(name: string, version: number): Promise<void> {
    await this.conn.write(`delete version ${version} of "${name}"`, async (q) => {
      const { model } = await requireVersion(q, name, version, true);
      // Tags, pins and the aliases pointing here go by ON DELETE CASCADE (MLflow also drops them).
      await q('DELETE FROM model_versions WHERE model_id = $1 AND version = $2', [model.model_id, version]);
      await touchModel(q, model.model_id);
    });
  }

  async listModelVersionFiles(name: string, version: number): Promise<readonly PinnedFile[]> {
    return this.conn.read(`list the files of version ${version} of "${name}"`, async (q) => {
      const { model } = await requireVersion(q, name, version);
      return listFiles(q, model.model_id, version);
    });
  }

  async searchModelVersions(query: RegistrySearchQuery): Promise<{ versions: readonly ModelVersion[]; nextOffset: number | null }> {
    const { sql, params } = compileVersions(VERSION_SELECT, query);
    const rows = await this.conn.query<VersionRow>('search model versions', sql, params);
    const more = rows.length > query.maxResults;
    return { versions: rows.slice(0, query.maxResults).map(versionFromRow), nextOffset: more ? query.offset + query.maxResults : null };
  }

  async setAlias(name: string, alias: string, version: number): Promise<void> {
    await this.conn.write(`set alias "${alias}" of "${name}"`, async (q) => {
      const { model, row } = await requireVersion(q, name, version, true);
      if (row.status !== 'READY') {
        throw new TracklabError('INVALID_STATE', `Version ${version} of "${name}" is ${row.status}, not READY, so an alias cannot point at it`
          + `${row.status_message ? ` (${row.status_message})` : ''}. Register the model again and alias the new version.`);
      }
      await q(`INSERT INTO registered_model_aliases (model_id, alias, version) VALUES ($1, $2, $3)
        ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version`, [model.model_id, alias, version]);
      await touchModel(q, model.model_id);
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.conn.write(`delete alias "${alias}" of "${name}"`, async (q) => {
      const model = await requireModel(q, name, true);
      const deleted = await q('DELETE FROM registered_model_aliases WHERE model_id = $1 AND alias = $2 RETURNING alias', [model.model_id, alias]);
      if (deleted.length === 0) throw noAlias(model, alias);
      await touchModel(q, model.model_id);
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.conn.read(`read alias "${alias}" of "${name}"`, async (q) => {
      const model = await requireModel(q, name);
      const [row] = await q<VersionRow>(`${VERSION_SELECT} JOIN registered_model_aliases al ON al.model_id = v.model_id AND al.version = v.version
        WHERE al.model_id = $1 AND al.alias = $2`, [model.model_id, alias]);
      if (!row) throw noAlias(model, alias);
      return versionFromRow(row);
    });
  }
}

/** Inserts the model unless the name is taken; true when this call created it. */
async function insertModel(q: Query, input: NewRegisteredModel, now: number): Promise<boolean> {
  const [row] = await q<{ model_id: number }>(`INSERT INTO registered_models (name, description, creation_time, last_updated_time)
    VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING RETURNING model_id`, [input.name, input.description ?? null, now]);
  if (!row) return false;
  await writeTags(q, row.model_id, null, input.tags, undefined);
  return true;
}

async function touchModel(q: Query, modelId: number): Promise<void> {
  await q('UPDATE registered_models SET last_updated_time = $1 WHERE model_id = $2', [Date.now(), modelId]);
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
