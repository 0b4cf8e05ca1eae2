/**
 * Model signatures in MLflow's JSON format (mlflow/types/schema.py,
 * https://mlflow.org/docs/latest/model/signatures.html). The types *are* the
 * JSON: a column spec is `{"type": "double", "name": "x", "required": true}`,
 * a tensor spec is `{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`,
 * a param spec is `{"name": "k", "type": "long", "default": 1, "shape": null}`.
 */
import { TracklabError } from '../errors';
import { pythonJsonDumps } from './python-json';
import { parseSafeJson } from './safe-json';
import { isPlainObject } from './safe-keys';

export const DataType = {
  boolean: 'boolean', integer: 'integer', long: 'long', float: 'float',
  double: 'double', string: 'string', binary: 'binary', datetime: 'datetime',
} as const;
export type DataType = keyof typeof DataType;

/** numpy dtype names MLflow writes in tensor specs. */
export const TensorDtype = {
  float32: 'float32', float64: 'float64', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool', str: 'str', object: 'object',
} as const;
export type TensorDtype = keyof typeof TensorDtype;

export interface ColSpec {
  readonly type: DataType;
  readonly name?: string;
  /** MLflow >= 2.10 writes it on every column; absent means required. */
  readonly required?: boolean;
}

export interface TensorSpec {
  readonly type: 'tensor';
  readonly 'tensor-spec': { readonly dtype: TensorDtype; readonly shape: readonly number[] };
  readonly name?: string;
}

/** All column specs or all tensor specs, never mixed (MLflow's rule). */
export type Schema = readonly ColSpec[] | readonly TensorSpec[];

export interface ParamSpec {
  readonly name: string;
  readonly type: DataType;
  readonly default: unknown;
  /** null for a scalar, [-1] for a 1-D list. */
  readonly shape: readonly number[] | null;
}

export interface ModelSignature {
  readonly inputs: Schema;
  readonly outputs?: Schema | null;
  readonly params?: readonly ParamSpec[] | null;
}

/** The `signature` block of an MLmodel: each part a JSON string, as MLflow writes it. */
export interface SignatureJson {
  readonly inputs: string | null;
  readonly outputs: string | null;
  readonly params: string | null;
}

export function isTensorSpec(spec: ColSpec | TensorSpec): spec is TensorSpec {
  return spec.type === 'tensor';
}

export function isTensorSchema(schema: Schema): schema is readonly TensorSpec[] {
  return schema.length > 0 && isTensorSpec(schema[0]);
}

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DataType, value);
}

export function isTensorDtype(value: unknown): value is TensorDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TensorDtype, value);
}

/** Serialises a schema with MLflow's key order and Python's JSON spacing. */
export function schemaToJson(schema: Schema): string {
  return pythonJsonDumps(schema.map((spec) => (isTensorSpec(spec)
    ? { ...(spec.name !== undefined ? { name: spec.name } : {}), type: 'tensor', 'tensor-spec': { dtype: spec['tensor-spec'].dtype, shape: spec['tensor-spec'].shape } }
    : { type: spec.type, ...(spec.name !== undefined ? { name: spec.name } : {}), required: spec.required ?? true })));
}

export function paramsToJson(params: readonly ParamSpec[]): string {
  return pythonJsonDumps(params.map((p) => ({ name: p.name, type: p.type, default: p.default, shape: p.shape })));
}

export function signatureToJson(signature: ModelSignature): SignatureJson {
  validateSchema(signature.inputs, 'signature inputs');
  if (signature.outputs) validateSchema(signature.outputs, 'signature outputs');
  return {
    inputs: schemaToJson(signature.inputs),
    outputs: signature.outputs ? schemaToJson(signature.outputs) : null,
    params: signature.params && signature.params.length > 0 ? paramsToJson(signature.params) : null,
  };
}

export function signatureFromJson(json: SignatureJson): ModelSignature {
  const inputs = json.inputs == null ? [] : schemaFromJson(json.inputs, 'signature inputs');
  const outputs = json.outputs == null ? null : schemaFromJson(json.outputs, 'signature outputs');
  const params = json.params == null ? null : paramsFromJson(json.params);
  return { inputs, outputs, params };
}

export function schemaFromJson(text: string, what: string): Schema {
  const raw = parseSafeJson(text, { what: `The MLmodel ${what}`, maxDepth: 32 });
  if (!Array.isArray(raw)) throw bad(`${what} must be a JSON list of column or tensor specs`);
  const schema = raw.map((entry, i) => specFromJson(entry, `${what}[${i}]`));
  validateSchema(schema as Schema, what);
  return schema as Schema;
}

function specFromJson(entry: unknown, where: string): ColSpec | TensorSpec {
  if (!isPlainObject(entry)) throw bad(`${where} must be an object`);
  const name = entry.name;
  if (name !== undefined && name !== null && typeof name !== 'string') throw bad(`${where}.name must be a string`);
  const named = typeof name === 'string' ? { name } : {};
  if (entry.type === 'tensor') {
    const ts = entry['tensor-spec'];
    if (!isPlainObject(ts) || !isTensorDtype(ts.dtype) || !isShape(ts.shape)) {
      throw bad(`${where} needs "tensor-spec": {"dtype": <numpy dtype>, "shape": [ints]}`);
    }
    return { type: 'tensor', 'tensor-spec': { dtype: ts.dtype, shape: ts.shape }, ...named };
  }
  if (!isDataType(entry.type)) {
    throw bad(`${where} has type ${JSON.stringify(entry.type)}; expected "tensor" or one of ${Object.keys(DataType).join(', ')} (array/object/map column types are not supported yet)`);
  }
  const required = entry.required;
  if (required !== undefined && typeof required !== 'boolean') throw bad(`${where}.required must be true or false`);
  return { type: entry.type, ...named, required: required ?? true };
}

function paramsFromJson(text: string): readonly ParamSpec[] {
  const raw = parseSafeJson(text, { what: 'The MLmodel signature params', maxDepth: 32 });
  if (!Array.isArray(raw)) throw bad('signature params must be a JSON list');
  return raw.map((p, i) => {
    if (!isPlainObject(p) || typeof p.name !== 'string' || !isDataType(p.type)) {
      throw bad(`signature params[${i}] needs a string "name" and a data "type"`);
    }
    const shape = p.shape ?? null;
    if (shape !== null && !isShape(shape)) throw bad(`signature params[${i}].shape must be null or [-1]`);
    return { name: p.name, type: p.type, default: p.default ?? null, shape };
  });
}

/** MLflow's schema rules: non-empty, one kind, all named or none, unique names, one unnamed tensor at most. */
export function validateSchema(schema: Schema, what: string): void {
  if (!Array.isArray(schema) || schema.length === 0) throw bad(`${what} must list at least one column or tensor`);
  const tensors = (schema as readonly (ColSpec | TensorSpec)[]).filter(isTensorSpec).length;
  if (tensors !== 0 && tensors !== schema.length) throw bad(`${what} mixes column and tensor specs; use one kind`);
  const named = schema.filter((s) => s.name !== undefined).length;
  if (named !== 0 && named !== schema.length) throw bad(`${what} mixes named and unnamed entries; name all or none`);
  const names = new Set(schema.map((s) => s.name));
  if (named > 0 && names.size !== schema.length) throw bad(`${what} repeats a name`);
  if (tensors > 1 && named === 0) throw bad(`${what} has several unnamed tensors; name each tensor`);
}

function isShape(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= -1);
}

function bad(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `Invalid model signature: ${message}.`);
}
