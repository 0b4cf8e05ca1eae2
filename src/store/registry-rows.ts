/**
 * Registry row shapes as every SQL backend's hydrating SELECT returns them
 * (tags and aliases aggregated as JSON text), and their mapping to entities.
 */
import type { ModelVersion, ModelVersionStatus, RegisteredModel } from '../registry-entities';

export interface ModelRow {
  readonly model_id: number;
  readonly name: string;
  readonly description: string | null;
  readonly creation_time: number;
  readonly last_updated_time: number;
  readonly tags_json: string;
  readonly aliases_json: string;
  readonly latest_version: number | null;
}

export interface VersionRow {
  readonly name: string;
  readonly model_id: number;
  readonly version: number;
  readonly source: string;
  readonly run_id: string | null;
  readonly status: ModelVersionStatus;
  readonly status_message: string | null;
  readonly description: string | null;
  readonly user_id: string | null;
  readonly content_hash: string;
  readonly creation_time: number;
  readonly last_updated_time: number;
  readonly tags_json: string;
  readonly aliases_json: string;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function modelFromRow(row: ModelRow): RegisteredModel {
  const aliases = (JSON.parse(row.aliases_json) as [string, number][])
    .map(([alias, version]) => ({ alias, version }))
    .sort((a, b) => byText(a.alias, b.alias));
  return {
    name: row.name,
    description: row.description,
    creationTime: row.creation_time,
    lastUpdatedTime: row.last_updated_time,
    // JSON.parse defines keys as own properties, so a tag named "__proto__" stays a plain key.
    tags: JSON.parse(row.tags_json) as Record<string, string>,
    aliases,
    latestVersion: row.latest_version,
  };
}

export function versionFromRow(row: VersionRow): ModelVersion {
  return {
    name: row.name,
    version: row.version,
    source: row.source,
    runId: row.run_id,
    status: row.status,
    statusMessage: row.status_message,
    description: row.description,
    userId: row.user_id,
    creationTime: row.creation_time,
    lastUpdatedTime: row.last_updated_time,
    tags: JSON.parse(row.tags_json) as Record<string, string>,
    aliases: (JSON.parse(row.aliases_json) as string[]).sort(byText),
    contentHash: row.content_hash,
  };
}
