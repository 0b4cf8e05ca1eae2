/**
 * Input rules of the tracking layer, following MLflow's
 * `mlflow/utils/validation.py`: key characters and normal form, length limits,
 * numeric metric values, integer steps and timestamps. Each public operation
 * calls these once, at its top; the store trusts what it is given.
 */
import { TracklabError } from './errors';
import { msg } from './messages';

export const Limits = {
  /** Param, metric and tag keys. */
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentNameLength: 500,
  runNameLength: 250,
  runIdLength: 256,
  maxResults: 50000,
} as const;

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
  if (key.length > Limits.keyLength) throw invalid(msg.tooLong(`${kind} name`, key, Limits.keyLength));
  if (validKeys.size >= MAX_VALID_KEYS) validKeys.clear();
  validKeys.add(key);
}

export function validateMetricValue(key: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw invalid(msg.metricValue(key, value));
}

export function validateStep(key: string, step: unknown): asserts step is number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step)) throw invalid(msg.metricStep(key, step));
}

export function validateTimestamp(key: string, timestamp: unknown): asserts timestamp is number {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalid(msg.metricTimestamp(key, timestamp));
  }
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
  if (text.length > Limits.paramValueLength) throw invalid(msg.tooLong(`Param ${JSON.stringify(key)} value`, text, Limits.paramValueLength));
  return text;
}

export function stringifyTag(key: string, value: unknown): string {
  if (value === undefined) throw invalid(msg.tagUndefined(key));
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw invalid(msg.tagUnserialisable(key, value));
  }
  const text = String(value);
  if (text.length > Limits.tagValueLength) throw invalid(msg.tooLong(`Tag ${JSON.stringify(key)} value`, text, Limits.tagValueLength));
  return text;
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
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    validateKey('Param', key);
    out[key] = stringifyParam(key, record[key]);
  }
  return out;
}

export function validateTags(tags: unknown): Record<string, string> {
  const record = validateRecord('Tags', tags);
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    validateKey('Tag', key);
    out[key] = stringifyTag(key, record[key]);
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
  if (name.length > Limits.experimentNameLength) throw invalid(msg.tooLong('Experiment name', name, Limits.experimentNameLength));
}

/** An experiment given by name or id (both are non-empty strings). */
export function validateExperimentRef(ref: unknown): asserts ref is string {
  if (typeof ref !== 'string' || ref === '') throw invalid(msg.experimentIdBad(ref));
}

export function validateRunName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '' || CONTROL.test(name)) throw invalid(msg.runNameBad(String(name)));
  if (name.length > Limits.runNameLength) throw invalid(msg.tooLong('Run name', name, Limits.runNameLength));
}

export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw invalid(msg.runIdBad(runId));
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
