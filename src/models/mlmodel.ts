/**
 * The MLmodel descriptor, with MLflow's field names and layout
 * (mlflow/models/model.py `Model.to_dict`, https://mlflow.org/docs/latest/models.html#storage-format).
 *
 * Differences from MLflow, on purpose:
 * - `tracklab_version` replaces `mlflow_version` (a Python reader ignores unknown keys;
 *   writing an `mlflow_version` we are not would mislead it).
 * - `flavors.js_function` plays the role of `python_function`: the generic entry
 *   every tracklab model has, naming its `loader_module` (one of a closed set,
 *   never a path that is required) and its `env` (requirements.json).
 * - MLflow's Python-only fields (`is_signature_from_type_hint`, `type_hint_from_example`,
 *   `databricks_runtime`, `resources`, `auth_policy`, `env_vars`) are not written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { checkRelativePath } from './package-path';
import { isPlainObject } from './safe-keys';
import type { SignatureJson } from './schema';
import { parseSafeYaml, stringifyYaml } from './safe-yaml';

export const MLMODEL_FILE = 'MLmodel';

/** One flavor's configuration: plain YAML values. */
export type FlavorConfig = Readonly<Record<string, unknown>>;

export type InputExampleType = 'dataframe' | 'ndarray' | 'json_object';

/** MLflow's `saved_input_example_info` (mlflow/models/utils.py `_Example.info`). */
export interface SavedInputExampleInfo {
  readonly artifact_path: string;
  readonly type: InputExampleType;
  /** The example as a scoring-server request body (MLflow >= 2.17). */
  readonly serving_input_path?: string;
  /** Only for type 'dataframe': how the frame is encoded; tracklab writes 'split'. */
  readonly pandas_orient?: 'split' | 'records' | 'values';
}

export interface MLmodel {
  /** Run-relative path of the logged model; absent for a model saved to a plain directory. */
  readonly artifact_path?: string;
  readonly flavors: Readonly<Record<string, FlavorConfig>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly model_size_bytes?: number;
  /** 32 lowercase hex digits (uuid4 without dashes), as MLflow writes it. */
  readonly model_uuid: string;
  readonly run_id?: string;
  readonly saved_input_example_info?: SavedInputExampleInfo;
  readonly signature?: SignatureJson;
  readonly tracklab_version?: string;
  /** UTC, `YYYY-MM-DD HH:MM:SS.ffffff` (Python's `str(datetime.utcnow())`). */
  readonly utc_time_created: string;
}

/** The generic entry every tracklab model carries (MLflow's `python_function`). */
export const GENERIC_FLAVOR = 'js_function';

/** Formats a time the way MLflow's `utc_time_created` reads: `2022-09-19 14:43:00.353762`. */
export function formatUtcTimeCreated(date: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} `
    + `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${p(date.getUTCMilliseconds(), 3)}000`;
}

/** MLflow's field order comes from sorting, which `stringifyYaml` does; undefined fields are left out like MLflow's nulls. */
export function mlmodelToYaml(model: MLmodel): string {
  const plain = JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
  return stringifyYaml(plain);
}

/** Parses and checks an MLmodel file's text. Throws INVALID_PARAMETER_VALUE naming the bad field. */
export function parseMLmodel(text: string): MLmodel {
  const raw = parseSafeYaml(text, 'The MLmodel file');
  if (!isPlainObject(raw)) throw bad('the file must hold a mapping of fields');
  const flavors = raw.flavors;
  if (!isPlainObject(flavors) || Object.keys(flavors).length === 0) throw bad('"flavors" must map flavor names to their settings');
  for (const [name, config] of Object.entries(flavors)) {
    if (!isPlainObject(config)) throw bad(`flavor "${name}" must be a mapping`);
  }
  optionalString(raw, 'artifact_path');
  optionalString(raw, 'run_id');
  optionalString(raw, 'tracklab_version');
  if (typeof raw.model_uuid !== 'string' && raw.model_uuid != null) throw bad('"model_uuid" must be a string');
  if (typeof raw.utc_time_created !== 'string') throw bad('"utc_time_created" must be a string');
  if (raw.metadata != null && !isPlainObject(raw.metadata)) throw bad('"metadata" must be a mapping');
  if (raw.model_size_bytes != null && !Number.isInteger(raw.model_size_bytes)) throw bad('"model_size_bytes" must be an integer');
  if (raw.signature != null) {
    const s = raw.signature;
    if (!isPlainObject(s)) throw bad('"signature" must be a mapping of inputs/outputs/params');
    for (const part of ['inputs', 'outputs', 'params']) {
      if (s[part] != null && typeof s[part] !== 'string') throw bad(`"signature.${part}" must be a JSON string or null`);
    }
  }
  if (raw.saved_input_example_info != null) {
    const info = raw.saved_input_example_info;
    if (!isPlainObject(info) || !['dataframe', 'ndarray', 'json_object'].includes(info.type as string)) {
      throw bad('"saved_input_example_info" needs artifact_path and a type of dataframe, ndarray or json_object');
    }
    checkRelativePath(info.artifact_path, 'the input example path');
    if (info.serving_input_path != null) checkRelativePath(info.serving_input_path, 'the serving input path');
  }
  const signature = raw.signature as Record<string, unknown> | undefined;
  return {
    ...(raw as unknown as MLmodel),
    model_uuid: (raw.model_uuid as string | undefined) ?? '',
    ...(signature ? { signature: { inputs: (signature.inputs as string) ?? null, outputs: (signature.outputs as string) ?? null, params: (signature.params as string) ?? null } } : {}),
  };
}

export function readMLmodel(dir: string): MLmodel {
  const file = path.join(dir, MLMODEL_FILE);
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `No MLmodel file in ${dir}; is this a model package directory?`, { cause: err });
  }
  return parseMLmodel(text);
}

export function writeMLmodel(dir: string, model: MLmodel): void {
  fs.writeFileSync(path.join(dir, MLMODEL_FILE), mlmodelToYaml(model));
}

function optionalString(raw: Record<string, unknown>, key: string): void {
  if (raw[key] != null && typeof raw[key] !== 'string') throw bad(`"${key}" must be a string`);
}

function bad(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `Invalid MLmodel file: ${message}.`);
}
