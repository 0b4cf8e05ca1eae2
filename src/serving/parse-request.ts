/**
 * MLflow's scoring protocol for `POST /invocations` (mlflow/pyfunc/scoring_server):
 * the JSON body holds exactly one of `dataframe_split`, `dataframe_records`,
 * `instances` or `inputs`, plus optional `params`.
 */
import { TracklabError } from '../errors';
import { splitToRows } from '../models/input-example';
import { parseSafeJson } from '../models/safe-json';
import { isPlainObject } from '../models/safe-keys';

export const INPUT_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
export type InputFormat = typeof INPUT_FORMATS[number];

export interface Invocation {
  readonly format: InputFormat;
  /** Row objects for the dataframe formats; the value as sent for instances/inputs. */
  readonly input: unknown;
  readonly params?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_MAX_DEPTH = 100;

/** Parses and checks a request body. Every problem is a BAD_REQUEST TracklabError saying what to send instead. */
export function parseInvocation(body: string, maxDepth = DEFAULT_MAX_DEPTH): Invocation {
  // Python's json.loads, which MLflow's server uses, takes NaN, Infinity and -Infinity as numbers.
  const data = parseSafeJson(body, { what: 'The request body', maxDepth, code: 'BAD_REQUEST', nonFinite: true });
  if (!isPlainObject(data)) {
    throw badRequest(`The request body must be a JSON object with one of ${INPUT_FORMATS.join(', ')}.`);
  }
  const formats = INPUT_FORMATS.filter((f) => Object.prototype.hasOwnProperty.call(data, f));
  const unknown = Object.keys(data).filter((k) => k !== 'params' && !(INPUT_FORMATS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw badRequest(`Unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')} in the request body; send exactly one of ${INPUT_FORMATS.join(', ')} (and optionally params).`);
  }
  if (formats.length !== 1) {
    throw badRequest(formats.length === 0
      ? `The request body has no input; send exactly one of ${INPUT_FORMATS.join(', ')}.`
      : `The request body has ${formats.join(' and ')}; send exactly one input format.`);
  }
  const format = formats[0];
  const params = data.params;
  if (params !== undefined && params !== null && !isPlainObject(params)) throw badRequest('"params" must be a JSON object { name: value }.');
  return { format, input: convert(format, data[format]), ...(isPlainObject(params) ? { params } : {}) };
}

function convert(format: InputFormat, value: unknown): unknown {
  switch (format) {
    case 'dataframe_split':
      try {
        return splitToRows(value);
      } catch (err) {
        throw badRequest(`Invalid dataframe_split: ${(err as Error).message} Example: {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]]}}.`);
      }
    case 'dataframe_records':
      if (!Array.isArray(value) || !value.every(isPlainObject)) {
        throw badRequest('dataframe_records must be a list of row objects, e.g. {"dataframe_records": [{"a": 1, "b": 2}]}.');
      }
      return value;
    case 'instances':
      // tf-serving row format: a list of {name: value} per instance becomes one list per name.
      if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
        return Object.fromEntries(Object.keys(value[0] as object).map((k) => [k, value.map((row) => (row as Record<string, unknown>)[k])]));
      }
      return value;
    case 'inputs':
      return value;
  }
}

function badRequest(message: string): TracklabError {
  return new TracklabError('BAD_REQUEST', message);
}
