/**
 * Input rules of the tracking layer, following MLflow's
 * `mlflow/utils/validation.py`: key characters and normal form, length limits,
 * numeric metric values, integer steps and timestamps. Each public operation
 * calls these once, at its top; the store trusts what it is given.
 */
import { TracklabError } from './errors';
import { msg } from './messages';
import { batchSequence } from './store/batch-sequence';
import { emptyRecord } from './records';

/**
 * Every input limit, in one place, so each backend (SQLite today, PostgreSQL
 * and the REST server later) refuses the same input at the top of the public
 * operation. Lengths count characters (Unicode code points), as Python's
 * len() does in MLflow, not UTF-16 units. Sources, read from MLflow's code:
 * - V: mlflow/utils/validation.py (MAX_* constants)
 * - DB: mlflow/store/tracking/dbmodels/models.py and model_registry/dbmodels (column sizes)
 * - ENV: mlflow/environment_variables.py (MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH default)
 */
export const Limits = {
  /** Param, metric and tag keys (V: MAX_ENTITY_KEY_LENGTH). */
  keyLength: 250,
  /** V: MAX_PARAM_VAL_LENGTH. */
  paramValueLength: 6000,
  /** Run tag values (V: MAX_TAG_VAL_LENGTH). */
  tagValueLength: 8000,
  /** V: MAX_EXPERIMENT_NAME_LENGTH. */
  experimentNameLength: 500,
  /** V: MAX_EXPERIMENT_TAG_KEY_LENGTH. */
  experimentTagKeyLength: 250,
  /** V: MAX_EXPERIMENT_TAG_VAL_LENGTH. */
  experimentTagValueLength: 5000,
  /** MLflow keeps an experiment's description as its tag mlflow.note.content, so the tag value limit applies. */
  experimentDescriptionLength: 5000,
  /** DB: runs.name is String(250). */
  runNameLength: 250,
  runIdLength: 256,
  /** V: MAX_EXPERIMENTS_LISTED_PER_PAGE (and SEARCH_MAX_RESULTS_THRESHOLD for runs). */
  maxResults: 50000,
  /** V: MAX_PARAMS_TAGS_PER_BATCH: params, and tags, in one store write. */
  paramsTagsPerBatch: 100,
  /** V: MAX_METRICS_PER_BATCH. */
  metricsPerBatch: 1000,
  /** V: MAX_ENTITIES_PER_BATCH: params + tags + metrics in one store write; also artifact entries per write. */
  entitiesPerBatch: 1000,
  /** V: MAX_DATASETS_PER_BATCH. */
  datasetsPerBatch: 1000,
  /** DB: registered_models.name is String(256). */
  modelNameLength: 256,
  /** V: MAX_REGISTERED_MODEL_ALIAS_LENGTH. */
  aliasLength: 255,
  /** DB: registered_models.description and model_versions.description are String(5000). */
  modelDescriptionLength: 5000,
  /** V: MAX_MODEL_REGISTRY_TAG_KEY_LENGTH. */
  registryTagKeyLength: 250,
  /** V: MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH. */
  registryTagValueLength: 5000,
  /** V: MAX_INPUT_TAG_VALUE_SIZE (a dataset's context is MLflow's input tag mlflow.data.context). */
  datasetContextLength: 500,
  /** V: MAX_DATASET_SOURCE_SIZE. */
  datasetSourceLength: 65535,
  /** V: MAX_DATASET_SCHEMA_SIZE, for the schema as JSON text. */
  datasetSchemaLength: 1048575,
  /** V: MAX_DATASET_PROFILE_SIZE, for the profile as JSON text. */
  datasetProfileLength: 16777215,
  /** ENV: MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH's default, for a whole artifact path. */
  artifactPathLength: 2048,
  /** Bytes of one artifact path segment in UTF-8: NAME_MAX on Linux and macOS, so every segment can be a file name. */
  artifactSegmentBytes: 255,
} as const;

/** Where a tag lands decides its limits, as in MLflow: runs, experiments, registered models and versions. */
export type TagScope = 'run' | 'experiment' | 'registry';

const TAG_LIMITS: Readonly<Record<TagScope, { readonly key: number; readonly value: number }>> = {
  run: { key: Limits.keyLength, value: Limits.tagValueLength },
  experiment: { key: Limits.experimentTagKeyLength, value: Limits.experimentTagValueLength },
  registry: { key: Limits.registryTagKeyLength, value: Limits.registryTagValueLength },
};

/**
 * Length in characters (code points), as MLflow counts with Python's len():
 * "😀" is 1, where String.length says 2. Cheap for the common case: a string
 * no longer in UTF-16 units than `atMost` is within it in code points too.
 */
export function charLength(text: string, atMost = 0): number {
  if (text.length <= atMost) return text.length;
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

/** Throws INVALID_PARAMETER_VALUE when `text` has more than `limit` characters (code points). */
export function checkLength(what: string, text: string, limit: number): void {
  if (text.length > limit && charLength(text) > limit) throw invalid(msg.tooLong(what, text, limit));
}

export type KeyKind = 'Metric' | 'Param' | 'Tag';

// MLflow's _VALID_PARAM_AND_METRIC_NAMES (`^[/\w.\- :]*$`, with Python's Unicode \w), including the ":" newer MLflow accepts.
const KEY_CHARS = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** POSIX `normpath` of a key, to tell keys that would alias each other as file paths. */
export function normalizeKey(key: string): string {
  if (key === '') return '.';
  const absolute = key.startsWith('/');
  const out: string[] = [];
  for (const part of key.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

/**
 * Keys that passed validateKey. The rules do not depend on the kind, and runs
 * check the same few keys over and over; cleared when full, so a stream of
 * distinct keys cannot grow it without bound.
 */
const validKeys = new Set<string>();
const MAX_VALID_KEYS = 10_000;

/** Throws INVALID_PARAMETER_VALUE unless `key` is a usable metric, param or tag key. */
export function validateKey(kind: KeyKind, key: unknown): asserts key is string {
  if (typeof key === 'string' && validKeys.has(key)) return;
  if (key === undefined || key === null || key === '') throw invalid(msg.keyMissing(kind));
  if (typeof key !== 'string') throw invalid(msg.keyNotString(kind, key));
  if (!KEY_CHARS.test(key)) throw invalid(msg.keyBadChars(kind, key));
  const normal = normalizeKey(key);
  if (normal !== key || normal === '.' || normal.startsWith('..') || normal.startsWith('/')) {
    throw invalid(msg.keyNotNormal(kind, key, normal));
  }
  checkLength(`${kind} name`, key, Limits.keyLength);
  if (validKeys.size >= MAX_VALID_KEYS) validKeys.clear();
  validKeys.add(key);
}

export function validateMetricValue(key: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw invalid(msg.metricValue(key, value));
}

/** `key`: the metric, or the metrics of one log() call, the step was given for. */
export function validateStep(key: string | readonly string[], step: unknown): asserts step is number {
  if (typeof step !== 'number' || !Number.isInteger(step)) throw invalid(msg.metricStep(key, step));
  // Whole, but past 2^53 a double no longer holds every integer: 2^53 and 2^53 + 1 would be one step.
  if (!Number.isSafeInteger(step)) throw invalid(msg.metricStepRange(key, step));
}

export function validateTimestamp(key: string, timestamp: unknown): asserts timestamp is number {
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    throw invalid(msg.metricTimestamp(key, timestamp));
  }
  if (!Number.isSafeInteger(timestamp)) throw invalid(msg.metricTimestampRange(key, timestamp));
}

/** Full check of one metric point (key, value, step, timestamp). */
export function validateMetric(key: unknown, value: unknown, step: unknown, timestamp: unknown): void {
  validateKey('Metric', key);
  validateMetricValue(key, value);
  validateStep(key, step);
  validateTimestamp(key, timestamp);
}

/**
 * The stored text of a param value: strings as they are, numbers, booleans
 * and bigints through String(), dates as ISO text, other objects as JSON.
 */
export function stringifyParam(key: string, value: unknown): string {
  if (value === undefined) throw invalid(msg.paramUndefined(key));
  const text = stringifyValue(value);
  if (text === undefined) throw invalid(msg.paramUnserialisable(key, value));
  checkLength(`Param ${JSON.stringify(key)} value`, text, Limits.paramValueLength);
  return text;
}

/** The stored text of a tag value (strings, numbers, booleans), within the limit of where the tag lands. */
export function stringifyTag(key: string, value: unknown, scope: TagScope = 'run'): string {
  if (value === undefined) throw invalid(msg.tagUndefined(key));
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw invalid(msg.tagUnserialisable(key, value));
  }
  const text = String(value);
  checkLength(`Tag ${JSON.stringify(key)} value`, text, TAG_LIMITS[scope].value);
  return text;
}

/** A tag key: the key rules of every key, and the key length of where the tag lands. */
export function validateTagKey(key: unknown, scope: TagScope = 'run'): asserts key is string {
  validateKey('Tag', key);
  checkLength('Tag name', key, TAG_LIMITS[scope].key);
}

function stringifyValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': return value;
    case 'number': case 'boolean': case 'bigint': return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      try {
        return JSON.stringify(value);
      } catch {
        return undefined; // cycles, bigint inside objects
      }
    }
    default: return undefined;
  }
}

/** Validates keys and stringifies values of a params record. */
export function validateParams(params: unknown): Record<string, string> {
  const record = validateRecord('Params', params);
  const out = emptyRecord<string>();
  for (const key of Object.keys(record)) {
    validateKey('Param', key);
    out[key] = stringifyParam(key, record[key]);
  }
  return out;
}

/**
 * Validates keys and stringifies values of a tags record. Run tags of any
 * number are split into several writes by the client; experiment and registry
 * tags are set at most 100 per call (one write each).
 */
export function validateTags(tags: unknown, scope: TagScope = 'run'): Record<string, string> {
  const record = validateRecord('Tags', tags);
  const out = emptyRecord<string>();
  const keys = Object.keys(record);
  if (scope !== 'run' && keys.length > Limits.paramsTagsPerBatch) throw invalid(msg.batchTooLarge('tags', keys.length, Limits.paramsTagsPerBatch));
  for (const key of keys) {
    validateTagKey(key, scope);
    out[key] = stringifyTag(key, record[key], scope);
  }
  return out;
}

function validateRecord(what: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(msg.recordNotObject(what, value));
  return value as Record<string, unknown>;
}

/** MLflow's rule, plus no control characters: leading and trailing spaces are part of the name (as in MLflow). */
export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(msg.experimentNameEmpty());
  if (CONTROL.test(name)) throw invalid(msg.experimentNameBad(name));
  checkLength('Experiment name', name, Limits.experimentNameLength);
}

/** An experiment description: text up to MLflow's limit, or null/undefined for none. */
export function validateExperimentDescription(description: unknown): asserts description is string | null | undefined {
  if (description === undefined || description === null) return;
  if (typeof description !== 'string') throw invalid(msg.descriptionNotString(description));
  checkLength('Experiment description', description, Limits.experimentDescriptionLength);
}

/** An experiment given by name or id (both are non-empty strings). */
export function validateExperimentRef(ref: unknown): asserts ref is string {
  if (typeof ref !== 'string' || ref === '') throw invalid(msg.experimentIdBad(ref));
}

export function validateRunName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '' || CONTROL.test(name)) throw invalid(msg.runNameBad(String(name)));
  checkLength('Run name', name, Limits.runNameLength);
}

export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw invalid(msg.runIdBad(runId));
}

/**
 * Ids that make a write safe to send again (`WriteOnce.batchId`): 1 to 128 characters of [A-Za-z0-9_:.-]. One that
 * starts with `s:` must be a whole sequenced id (batch-sequence.ts): read as any other id, a malformed one would be
 * honoured silently, under rules its sender did not mean.
 */
export function validateBatchId(batchId: unknown): asserts batchId is string | undefined {
  if (batchId !== undefined && (typeof batchId !== 'string' || !/^[A-Za-z0-9_:.-]{1,128}$/.test(batchId))) throw invalid(msg.batchIdBad(batchId));
  if (batchId !== undefined && batchId.startsWith('s:') && batchSequence(batchId) === undefined) throw invalid(msg.sequencedBatchIdBad(batchId));
}

export function validateEndStatus(status: unknown): asserts status is 'FINISHED' | 'FAILED' | 'KILLED' {
  if (status !== 'FINISHED' && status !== 'FAILED' && status !== 'KILLED') throw invalid(msg.statusBad(status));
}

export function validateMaxResults(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > Limits.maxResults) {
    throw invalid(msg.maxResultsBad(n, Limits.maxResults));
  }
}

export type ViewType = 'active' | 'deleted' | 'all';

export function validateViewType(v: unknown): asserts v is ViewType {
  if (v !== 'active' && v !== 'deleted' && v !== 'all') throw invalid(msg.viewTypeBad(v));
}

/**
 * Refuses one store write over MLflow's batch limits (V: `_validate_batch_log_limits`).
 * Stores call it at the top of `logBatch`; the client splits bigger calls
 * (tracking/log-batches.ts), so only a direct store caller ever sees it.
 */
export function validateBatchSize(batch: {
  readonly params?: object; readonly tags?: object; readonly deleteTags?: readonly unknown[]; readonly metrics?: readonly unknown[];
}): void {
  validateBatchCounts({
    params: batch.params === undefined ? 0 : Object.keys(batch.params).length,
    tags: (batch.tags === undefined ? 0 : Object.keys(batch.tags).length) + (batch.deleteTags?.length ?? 0),
    metrics: batch.metrics?.length ?? 0,
  });
}

/** The same limits on counts alone: the tracking server checks a request's list lengths before it reads any entry. */
export function validateBatchCounts({ params, tags, metrics }: { readonly params: number; readonly tags: number; readonly metrics: number }): void {
  if (metrics > Limits.metricsPerBatch) throw invalid(msg.batchTooLarge('metrics', metrics, Limits.metricsPerBatch));
  if (params > Limits.paramsTagsPerBatch) throw invalid(msg.batchTooLarge('params', params, Limits.paramsTagsPerBatch));
  if (tags > Limits.paramsTagsPerBatch) throw invalid(msg.batchTooLarge('tags', tags, Limits.paramsTagsPerBatch));
  const total = params + tags + metrics;
  if (total > Limits.entitiesPerBatch) throw invalid(msg.batchTooLarge('metrics, params and tags', total, Limits.entitiesPerBatch));
}
