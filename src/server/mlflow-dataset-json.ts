/**
 * MLflow's dataset inputs (service.proto: DatasetInput = Dataset + InputTag
 * list; Dataset = name, digest, source_type, source, schema?, profile?) and
 * tracklab's (entities.ts: Dataset + context), both ways, losing nothing:
 * - A dataset logged through MLflow's API is stored with sourceType `mlflow`
 *   and MLflow's own fields, exactly as sent, as JSON in `source`:
 *   `{"source_type", "source", "schema"?, "profile"?, "input_tags"?}`.
 *   tracklab's `schema` gets the columns when MLflow's schema is a
 *   `mlflow_colspec` list, and `numRows` the profile's `num_rows`, so
 *   tracklab's views and searches see them.
 * - The input tag `mlflow.data.context` is tracklab's context. Other input
 *   tags are kept with the dataset (`input_tags`): tracklab links a run to a
 *   dataset with a context only, so, as for MLflow's own dataset fields, the
 *   first logging of a (name, digest) keeps them.
 * - tracklab's own datasets (arrow, rows, file) are shown to MLflow clients
 *   with their source type and source, the schema as a `mlflow_colspec`,
 *   and the row count and column profile as the profile.
 */
import type { Dataset, DatasetColumn, DatasetInput, RunInput } from '../entities';
import { TracklabError } from '../errors';
import { charLength } from '../validation';
import type { RequestFields } from './request-fields';

/** mlflow/utils/validation.py, read from MLflow's source. */
export const MlflowDatasetLimits = {
  name: 500,
  digest: 36,
  source: 65535,
  schema: 1048575,
  profile: 16777215,
  tagKey: 255,
  tagValue: 500,
  /** MAX_DATASETS_PER_BATCH. */
  perRequest: 1000,
} as const;

export const CONTEXT_TAG = 'mlflow.data.context';

interface MlflowSource {
  readonly source_type: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
  readonly input_tags?: Readonly<Record<string, string>>;
}

function tooLong(what: string, limit: number): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `${what} exceeds the maximum length of ${limit}.`);
}

function bounded(fields: RequestFields, name: string, what: string, limit: number, required: boolean): string | undefined {
  const value = fields.string(name, required);
  if (value !== undefined && charLength(value, limit) > limit) throw tooLong(what, limit);
  return value === '' && !required ? undefined : value;
}

/** One DatasetInput of a LogInputs request, validated as MLflow validates it. */
export function datasetInputFromMlflow(input: RequestFields): DatasetInput {
  const ds = input.message('dataset', true);
  const name = bounded(ds, 'name', 'Dataset name', MlflowDatasetLimits.name, true)!;
  const digest = bounded(ds, 'digest', 'Dataset digest', MlflowDatasetLimits.digest, true)!;
  const sourceType = bounded(ds, 'source_type', 'Dataset source type', MlflowDatasetLimits.tagKey, true)!;
  const source = bounded(ds, 'source', 'Dataset source', MlflowDatasetLimits.source, true)!;
  const schema = bounded(ds, 'schema', 'Dataset schema', MlflowDatasetLimits.schema, false);
  const profile = bounded(ds, 'profile', 'Dataset profile', MlflowDatasetLimits.profile, false);
  let context: string | null = null;
  const inputTags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const tag of input.messages('tags')) {
    const key = bounded(tag, 'key', 'Input tag key', MlflowDatasetLimits.tagKey, true)!;
    const value = bounded(tag, 'value', 'Input tag value', MlflowDatasetLimits.tagValue, true)!;
    if (key === CONTEXT_TAG) context = value;
    else inputTags[key] = value;
  }
  const kept: MlflowSource = {
    source_type: sourceType, source,
    ...(schema !== undefined ? { schema } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(Object.keys(inputTags).length > 0 ? { input_tags: { ...inputTags } } : {}),
  };
  const dataset: Dataset = { name, digest, sourceType: 'mlflow', source: JSON.stringify(kept), schema: colspecColumns(schema), profile: null, numRows: profileRows(profile) };
  return { dataset, context };
}

/** A run's input as MLflow's DatasetInput JSON. */
export function mlflowDatasetInputJson(input: RunInput): Record<string, unknown> {
  const d = input.dataset;
  const kept = d.sourceType === 'mlflow' ? parseKept(d.source) : undefined;
  const tags: { key: string; value: string }[] = [];
  if (input.context !== null) tags.push({ key: CONTEXT_TAG, value: input.context });
  for (const [key, value] of Object.entries(kept?.input_tags ?? {})) tags.push({ key, value });
  const dataset: Record<string, unknown> = kept !== undefined
    ? { name: d.name, digest: d.digest, source_type: kept.source_type, source: kept.source, ...(kept.schema !== undefined ? { schema: kept.schema } : {}), ...(kept.profile !== undefined ? { profile: kept.profile } : {}) }
    : {
      name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source,
      ...(d.schema !== null ? { schema: JSON.stringify({ mlflow_colspec: d.schema.map((c) => ({ type: c.type, name: c.name })) }) } : {}),
      ...(d.numRows !== null || d.profile !== null ? { profile: JSON.stringify({ num_rows: d.numRows, ...(d.profile !== null ? { columns: d.profile } : {}) }) } : {}),
    };
  return tags.length > 0 ? { tags, dataset } : { dataset };
}

function parseKept(source: string): MlflowSource | undefined {
  try {
    const v = JSON.parse(source) as MlflowSource;
    return typeof v === 'object' && v !== null && typeof v.source_type === 'string' && typeof v.source === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** MLflow's `{"mlflow_colspec": [{"type", "name"}, …]}` as tracklab columns; null for any other schema. */
function colspecColumns(schema: string | undefined): DatasetColumn[] | null {
  if (schema === undefined) return null;
  try {
    const spec = (JSON.parse(schema) as { mlflow_colspec?: unknown } | null)?.mlflow_colspec;
    if (!Array.isArray(spec)) return null;
    const columns = spec.map((c: { name?: unknown; type?: unknown }) => (typeof c?.name === 'string' && typeof c.type === 'string' ? { name: c.name, type: c.type } : undefined));
    return columns.every((c) => c !== undefined) ? columns as DatasetColumn[] : null;
  } catch {
    return null;
  }
}

function profileRows(profile: string | undefined): number | null {
  if (profile === undefined) return null;
  try {
    const rows = (JSON.parse(profile) as { num_rows?: unknown } | null)?.num_rows;
    return typeof rows === 'number' && Number.isSafeInteger(rows) && rows >= 0 ? rows : null;
  } catch {
    return null;
  }
}
