/**
 * Reading registry rows: one SELECT per list, with tags and aliases folded in
 * as JSON (like run hydration), and the lookups every registry write shares.
 */
import { TracklabError } from '../../errors';
import type { PinnedFile } from '../../registry-entities';
import type { Query } from './connection';
import { type ModelRow, type VersionRow } from '../registry-rows';

export { modelFromRow, type ModelRow, versionFromRow, type VersionRow } from '../registry-rows';

/** Columns of a registered model; `m` is registered_models. */
export const MODEL_SELECT = `SELECT m.model_id, m.name, m.description, m.creation_time, m.last_updated_time,
  COALESCE((SELECT json_object_agg(t.key, t.value) FROM registered_model_tags t WHERE t.model_id = m.model_id), '{}')::text AS tags_json,
  COALESCE((SELECT json_agg(json_build_array(a.alias, a.version)) FROM registered_model_aliases a WHERE a.model_id = m.model_id), '[]')::text AS aliases_json,
  (SELECT MAX(v.version) FROM model_versions v WHERE v.model_id = m.model_id) AS latest_version
  FROM registered_models m`;

/** Columns of a model version; `v` is model_versions, `m` its registered model. */
export const VERSION_SELECT = `SELECT m.name, v.model_id, v.version, v.source, v.run_id, v.status, v.status_message, v.description,
  v.user_id, v.content_hash, v.creation_time, v.last_updated_time,
  COALESCE((SELECT json_object_agg(t.key, t.value) FROM model_version_tags t WHERE t.model_id = v.model_id AND t.version = v.version), '{}')::text AS tags_json,
  COALESCE((SELECT json_agg(a.alias) FROM registered_model_aliases a WHERE a.model_id = v.model_id AND a.version = v.version), '[]')::text AS aliases_json
  FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id`;

export async function findModel(q: Query, name: string, lock = false): Promise<ModelRow | undefined> {
  if (lock) {
    // Lock the plain row first (FOR UPDATE cannot apply to the aggregates), then read it whole.
    const [locked] = await q<{ model_id: number }>('SELECT model_id FROM registered_models WHERE name = $1 FOR UPDATE', [name]);
    if (!locked) return undefined;
  }
  const [row] = await q<ModelRow>({ name: 'find-model', text: `${MODEL_SELECT} WHERE m.name = $1` }, [name]);
  return row;
}

export async function requireModel(q: Query, name: string, lock = false): Promise<ModelRow> {
  const row = await findModel(q, name, lock);
  if (row) return row;
  const [similar] = await q<{ name: string }>('SELECT name FROM registered_models WHERE lower(name) = lower($1) LIMIT 1', [name]);
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `No registered model named "${name}".${similar ? ` Did you mean "${similar.name}"? Names are case-sensitive.` : ''} `
    + '`tracklab models list` shows the registered models.');
}

export async function findVersion(q: Query, modelId: number, version: number): Promise<VersionRow | undefined> {
  const [row] = await q<VersionRow>({ name: 'find-version', text: `${VERSION_SELECT} WHERE v.model_id = $1 AND v.version = $2` }, [modelId, version]);
  return row;
}

export async function requireVersion(q: Query, name: string, version: number, lock = false): Promise<{ model: ModelRow; row: VersionRow }> {
  const model = await requireModel(q, name, lock);
  const row = await findVersion(q, model.model_id, version);
  if (row) return { model, row };
  const existing = (await q<{ version: number }>('SELECT version FROM model_versions WHERE model_id = $1 ORDER BY version', [model.model_id]))
    .map((r) => r.version);
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Registered model "${name}" has no version ${version}; `
    + (existing.length === 0 ? 'it has no versions yet.' : `its versions are ${existing.join(', ')}.`));
}

/** Sets or deletes tags of a model (version null) or of a version. */
export async function writeTags(
  q: Query, modelId: number, version: number | null,
  tags: Readonly<Record<string, string>> | undefined, deleteKeys: readonly string[] | undefined,
): Promise<void> {
  const table = version === null ? 'registered_model_tags' : 'model_version_tags';
  const owner = version === null ? 'model_id = $1' : 'model_id = $1 AND version = $2';
  const ownerArgs = version === null ? [modelId] : [modelId, version];
  const next = ownerArgs.length + 1;
  if (deleteKeys?.length) {
    await q(`DELETE FROM ${table} WHERE ${owner} AND key = ANY($${next}::text[])`, [...ownerArgs, deleteKeys]);
  }
  const keys = tags === undefined ? [] : Object.keys(tags);
  if (keys.length > 0) {
    const columns = version === null ? 'model_id, key, value' : 'model_id, version, key, value';
    const values = version === null ? '$1::bigint, u.k, u.v' : '$1::bigint, $2::integer, u.k, u.v';
    const conflict = version === null ? 'model_id, key' : 'model_id, version, key';
    await q(`INSERT INTO ${table} (${columns}) SELECT ${values} FROM unnest($${next}::text[], $${next + 1}::text[]) AS u(k, v)
      ON CONFLICT (${conflict}) DO UPDATE SET value = excluded.value`, [...ownerArgs, keys, keys.map((k) => (tags as Record<string, string>)[k])]);
  }
}

export async function listFiles(q: Query, modelId: number, version: number): Promise<PinnedFile[]> {
  const rows = await q<PinnedFile>('SELECT path, sha256, size FROM model_version_files WHERE model_id = $1 AND version = $2 ORDER BY path', [modelId, version]);
  return rows.map((r) => ({ path: r.path, sha256: r.sha256, size: r.size }));
}
