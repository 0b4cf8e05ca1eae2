/**
 * Input examples, stored as MLflow stores them (mlflow/models/utils.py `_Example`):
 * `input_example.json` holds the example, `serving_input_example.json` the same
 * data as a scoring-server request body.
 * - row objects → type 'dataframe', pandas_orient 'split': {"columns": [...], "data": [[...]]}
 * - numeric arrays and tensors → type 'ndarray': nested lists
 * - anything else JSON can hold → type 'json_object'
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import type { SavedInputExampleInfo } from './mlmodel';
import { resolveInsidePackage } from './package-path';
import { parseSafeJson } from './safe-json';
import { assertSafeKey, isPlainObject } from './safe-keys';
import { isDimsTensor, isRowObjects, isTfTensorLike, isTypedArray, nestedShape, unflatten } from './tensor-data';

export const INPUT_EXAMPLE_FILE = 'input_example.json';
export const SERVING_INPUT_FILE = 'serving_input_example.json';

export function saveInputExample(dir: string, example: unknown): SavedInputExampleInfo {
  let info: SavedInputExampleInfo;
  let stored: unknown;
  let serving: unknown;
  if (isRowObjects(example)) {
    const columns: string[] = [];
    for (const row of example) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    stored = { columns, data: example.map((row) => columns.map((c) => row[c] ?? null)) };
    serving = { dataframe_split: stored };
    info = { artifact_path: INPUT_EXAMPLE_FILE, type: 'dataframe', pandas_orient: 'split', serving_input_path: SERVING_INPUT_FILE };
  } else if (isTfTensorLike(example) || isDimsTensor(example) || isTypedArray(example) || nestedShape(example, (x) => typeof x === 'number')) {
    stored = toNestedList(example);
    serving = { inputs: stored };
    info = { artifact_path: INPUT_EXAMPLE_FILE, type: 'ndarray', serving_input_path: SERVING_INPUT_FILE };
  } else {
    stored = example;
    serving = { inputs: example };
    info = { artifact_path: INPUT_EXAMPLE_FILE, type: 'json_object', serving_input_path: SERVING_INPUT_FILE };
  }
  fs.writeFileSync(path.join(dir, INPUT_EXAMPLE_FILE), toJson(stored));
  fs.writeFileSync(path.join(dir, SERVING_INPUT_FILE), toJson(serving, 2));
  return info;
}

/** Reads the example back in the form the model takes: row objects for a dataframe, nested lists for an ndarray. */
export function loadInputExample(dir: string, info: SavedInputExampleInfo): unknown {
  const file = resolveInsidePackage(dir, info.artifact_path, 'the input example');
  const value = parseSafeJson(fs.readFileSync(file, 'utf8'), { what: 'The input example', maxDepth: 100 });
  if (info.type === 'dataframe') return splitToRows(value);
  return value;
}

/** `{columns, data}` (pandas 'split' orient) to row objects; rows without `columns` get "0", "1", ... keys. */
export function splitToRows(value: unknown): Record<string, unknown>[] {
  if (!isPlainObject(value) || !Array.isArray(value.data)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'A dataframe in split orient needs {"columns": [...], "data": [[...], ...]}.');
  }
  const columns = value.columns;
  if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'dataframe "columns" must be a list of strings.');
  }
  // Column names become row keys: refuse the ones that would set a row's prototype, as JSON keys are refused.
  for (const c of (columns as string[] | undefined) ?? []) assertSafeKey(c, 'The dataframe "columns"');
  return value.data.map((row: unknown, r: number) => {
    if (!Array.isArray(row)) throw new TracklabError('INVALID_PARAMETER_VALUE', `dataframe data row ${r} must be a list of values.`);
    const names = (columns as string[] | undefined) ?? row.map((_, i) => String(i));
    if (row.length !== names.length) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `dataframe data row ${r} has ${row.length} values for ${names.length} columns.`);
    }
    const out: Record<string, unknown> = {};
    names.forEach((c, i) => { out[c] = row[i]; });
    return out;
  });
}

function toNestedList(value: unknown): unknown {
  if (isTfTensorLike(value)) return value.arraySync();
  if (isDimsTensor(value)) return unflatten(value.data as ArrayLike<number>, value.dims);
  if (isTypedArray(value)) return Array.from(value as ArrayLike<number | bigint>, Number);
  if (Array.isArray(value)) return value.map((v) => (isTypedArray(v) || Array.isArray(v) ? toNestedList(v) : v));
  return value;
}

function toJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), indent);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The input example cannot be stored as JSON: ${(err as Error).message}`, { cause: err });
  }
}
