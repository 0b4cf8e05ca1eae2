/**
 * Reading registry rows: one SELECT per list, with tags and aliases folded in
 * as JSON (like run hydration), and the lookups every registry write shares.
 * Callers hold the transaction.
 */
import { TracklabError } from '../../errors';
import type { Connection } from './connection';
import { type ModelRow, type VersionRow } from '../registry-rows';

export { modelFromRow, type ModelRow, versionFromRow, type VersionRow } from '../registry-rows';

/** Columns of a registered model; `m` is registered_models. */
export const MODEL_SELECT = `SELECT m.model_id, m.name, m.description, m.creation_time, m.last_updated_time,
  (SELECT json_group_object(t.key, t.value) FROM registered_model_tags t WHERE t.model_id = m.model_id) AS tags_json,
  (SELECT json_group_array(json_array(a.alias, a.version)) FROM registered_model_aliases a WHERE a.model_id = m.model_id) AS aliases_json,
  (SELECT MAX(v.version) FROM model_versions v WHERE v.model_id = m.model_id) AS latest_version
  FROM registered_models m`;

/** Columns of a model version; `v` is model_versions, `m` its registered model. */
export const VERSION_SELECT = `SELECT m.name, v.model_id, v.version, v.source, v.run_id, v.status, v.status_message, v.description,
  v.user_id, v.content_hash, v.creation_time, v.last_updated_time,
  (SELECT json_group_object(t.key, t.value) FROM model_version_tags t WHERE t.model_id = v.model_id AND t.version = v.version) AS tags_json,
  (SELECT json_group_array(a.alias) FROM registered_model_aliases a WHERE a.model_id = v.model_id AND a.version = v.version) AS aliases_json
  FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id`;

export function findModel(conn: Connection, name: string): ModelRow | undefined {
  return conn.stmt(`${MODEL_SELECT} WHERE m.name = ?`).get(name) as ModelRow | undefined;
}

export function requireModel(conn: Connection, name: string): ModelRow {
  const row = findModel(conn, name);
  if (row) return row;
  const similar = conn.stmt('SELECT name FROM registered_models WHERE lower(name) = lower(?) LIMIT 1').get(name) as { name: string } | undefined;
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `No registered model named "${name}".${similar ? ` Did you mean "${similar.name}"? Names are case-sensitive.` : ''} `
    + '`tracklab models list` shows the registered models.');
}

export function findVersion(conn: Connection, modelId: number, version: number): VersionRow | undefined {
  return conn.stmt(`${VERSION_SELECT} WHERE v.model_id = ? AND v.version = ?`).get(modelId, version) as VersionRow | undefined;
}

export function requireVersion(conn: Connection, name: string, version: number): { model: ModelRow; row: VersionRow } {
  const model = requireModel(conn, name);
  const row = findVersion(conn, model.model_id, version);
  if (row) return { model, row };
  const existing = (conn.stmt('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version').all(model.model_id) as { version: number }[])
    .map((r) => r.version);
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Registered model "${name}" has no version ${version}; `
    + (existing.length === 0 ? 'it has no versions yet.' : `its versions are ${existing.join(', ')}.`));
}

/** Sets or deletes tags of a model (version null) or of a version. */
export function writeTags(
  conn: Connection, modelId: number, version: number | null,
  tags: Readonly<Record<string, string>> | undefined, deleteKeys: readonly string[] | undefined,
): void {
  const table = version === null ? 'registered_model_tags' : 'model_version_tags';
  const owner = version === null ? 'model_id = ?' : 'model_id = ? AND version = ?';
  const ownerArgs = version === null ? [modelId] : [modelId, version];
  if (deleteKeys?.length) {
    conn.stmt(`DELETE FROM ${table} WHERE ${owner} AND key IN (SELECT value FROM json_each(?))`).run(...ownerArgs, JSON.stringify(deleteKeys));
  }
  if (tags && Object.keys(tags).length > 0) {
    const columns = version === null ? 'model_id, key, value' : 'model_id, version, key, value';
    const values = version === null ? '?, key, value' : '?, ?, key, value';
    const conflict = version === null ? 'model_id, key' : 'model_id, version, key';
    conn.stmt(`INSERT INTO ${table} (${columns}) SELECT ${values} FROM json_each(?) WHERE true
      ON CONFLICT (${conflict}) DO UPDATE SET value = excluded.value`).run(...ownerArgs, JSON.stringify(tags));
  }
}
