/**
 * Registry entities as MLflow's JSON (model_registry.proto): version numbers
 * are strings there (`"version": "3"`), timestamps are `*_timestamp`, and
 * stages, which tracklab does not have, are always "None" (aliases replace them).
 */
import type { ModelVersion, RegisteredModel } from '../registry-entities';

function keyValues(record: Readonly<Record<string, string>>): { key: string; value: string }[] {
  return Object.keys(record).map((key) => ({ key, value: record[key]! }));
}

export function modelVersionJson(v: ModelVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTime,
    last_updated_timestamp: v.lastUpdatedTime,
    current_stage: 'None',
    source: v.source,
    status: v.status,
  };
  if (v.userId !== null) out.user_id = v.userId;
  if (v.description !== null) out.description = v.description;
  if (v.runId !== null) out.run_id = v.runId;
  if (v.statusMessage !== null) out.status_message = v.statusMessage;
  if (Object.keys(v.tags).length > 0) out.tags = keyValues(v.tags);
  if (v.aliases.length > 0) out.aliases = [...v.aliases];
  return out;
}

export function registeredModelJson(m: RegisteredModel, latest: ModelVersion | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: m.name,
    creation_timestamp: m.creationTime,
    last_updated_timestamp: m.lastUpdatedTime,
  };
  if (m.description !== null) out.description = m.description;
  if (latest !== undefined) out.latest_versions = [modelVersionJson(latest)];
  if (Object.keys(m.tags).length > 0) out.tags = keyValues(m.tags);
  if (m.aliases.length > 0) out.aliases = m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
  return out;
}
