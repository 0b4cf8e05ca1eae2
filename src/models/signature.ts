/**
 * Signature inference from an input example (and a prediction for the
 * outputs), following MLflow's `infer_signature` where JS data maps onto it:
 * row objects become column specs, numeric arrays and tensors become tensor specs.
 */
import { TracklabError } from '../errors';
import type { ColSpec, DataType, ModelSignature, Schema, TensorDtype, TensorSpec } from './schema';
import { validateSchema } from './schema';
import { isPlainObject } from './safe-keys';
import {
  isDimsTensor, isTfTensorLike, isTypedArray, nestedShape, toNumpyDtype, typedArrayDtype,
} from './tensor-data';

export interface InferOptions {
  /**
   * dtype recorded for plain JS number arrays. JS numbers are float64, which is
   * the default; flavors whose runtime computes in float32 (tfjs, onnx) pass
   * 'float32' so the signature states what the model really consumes.
   */
  readonly numberDtype?: TensorDtype;
}

/**
 * Infers a signature from an input example and, when given, a prediction.
 *
 * @example
 * inferSignature([{ x: 1.5, n: 3, label: 'a' }], [0.3]);
 * // inputs: [{type: 'double', name: 'x', ...}, {type: 'long', name: 'n', ...}, {type: 'string', name: 'label', ...}]
 * // outputs: [{type: 'tensor', 'tensor-spec': {dtype: 'float64', shape: [-1]}}]
 */
export function inferSignature(inputExample: unknown, prediction?: unknown, options: InferOptions = {}): ModelSignature {
  const inputs = inferSchema(inputExample, options);
  let outputs: Schema | null = null;
  if (prediction !== undefined) {
    try {
      outputs = inferSchema(prediction, { numberDtype: options.numberDtype });
    } catch {
      outputs = null; // an output we cannot describe must not stop the model from being saved
    }
  }
  return { inputs, outputs, params: null };
}

/** Infers the schema of one value. Throws INVALID_PARAMETER_VALUE when the value has no MLflow equivalent. */
export function inferSchema(value: unknown, options: InferOptions = {}): Schema {
  const numberDtype = options.numberDtype ?? 'float64';
  const tensor = inferTensor(value, numberDtype);
  if (tensor) return [tensor];
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) return columnsOf(value);
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) throw cannot('an empty object');
    const named = entries.map(([name, v]) => inferTensor(v, numberDtype, name));
    if (named.every((t): t is TensorSpec => t !== null) && entries.some(([, v]) => !isScalar(v))) {
      const schema = named as TensorSpec[];
      validateSchema(schema, 'the inferred schema');
      return schema;
    }
    return columnsOf([value]); // one row, as MLflow turns a dict example into a one-row DataFrame
  }
  if (Array.isArray(value) && value.length > 0) {
    const type = commonType(value, 'the list');
    return [{ type, required: true }];
  }
  if (isScalar(value) && value !== null) return [{ type: scalarType(value, 'the value'), required: true }];
  throw cannot(describe(value));
}

function inferTensor(value: unknown, numberDtype: TensorDtype, name?: string): TensorSpec | null {
  const named = name !== undefined ? { name } : {};
  const spec = (dtype: TensorDtype, shape: readonly number[]): TensorSpec => ({
    type: 'tensor', 'tensor-spec': { dtype, shape: [-1, ...shape.slice(1)] }, ...named,
  });
  if (isTfTensorLike(value)) return spec(toNumpyDtype(value.dtype) ?? 'float32', value.shape);
  if (isDimsTensor(value)) {
    const dtype = (value.type && toNumpyDtype(value.type)) || (isTypedArray(value.data) ? typedArrayDtype(value.data) : numberDtype);
    return spec(dtype, value.dims);
  }
  if (isTypedArray(value)) return spec(typedArrayDtype(value), [value.length]);
  const shape = nestedShape(value, (x) => typeof x === 'number');
  if (shape) {
    const first = firstLeafContainer(value);
    return spec(isTypedArray(first) ? typedArrayDtype(first) : numberDtype, shape);
  }
  return null;
}

function firstLeafContainer(value: unknown): unknown {
  let v = value;
  while (Array.isArray(v) && v.length > 0 && (Array.isArray(v[0]) || isTypedArray(v[0]))) v = v[0];
  return v;
}

function columnsOf(rows: readonly Record<string, unknown>[]): ColSpec[] {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (!seen.has(k)) { seen.add(k); order.push(k); }
  return order.map((name) => {
    const values = rows.map((r) => r[name]);
    const present = values.filter((v) => v !== undefined && v !== null);
    if (present.length === 0) throw cannot(`column "${name}" (it holds only null/undefined)`);
    return { type: commonType(present, `column "${name}"`), name, required: present.length === rows.length };
  });
}

function commonType(values: readonly unknown[], where: string): DataType {
  let type: DataType | undefined;
  for (const v of values) {
    const t = scalarType(v, where);
    if (type === undefined || type === t) type = t;
    // MLflow refuses a list mixing int and float; in JS `1.0` and `1` are one value, so a mix is 'double'.
    else if ((type === 'double' && t === 'long') || (type === 'long' && t === 'double')) type = 'double';
    else throw cannot(`${where}, which mixes ${type} and ${t} values`);
  }
  return type as DataType;
}

/**
 * Numbers are typed as MLflow's `_infer_schema` types them once the example
 * has gone through JSON: a whole number is a Python int, so 'long'; any other
 * number (fractions, NaN, ±Infinity) is 'double'. MLflow refuses to feed an
 * int64 column to a 'double' signature ("Can not safely convert int64 to
 * float64"), so an all-whole example typed 'double' would fail its own check
 * there. A column mixing both is 'double' (see commonType). BigInt is 'long'.
 */
function scalarType(v: unknown, where: string): DataType {
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Date) return 'datetime';
  if (v instanceof Uint8Array) return 'binary';
  throw cannot(`${where}, which holds ${describe(v)}`);
}

function isScalar(v: unknown): boolean {
  return v === null || ['number', 'bigint', 'string', 'boolean'].includes(typeof v) || v instanceof Date;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'a ragged or mixed array';
  return `a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}`;
}

function cannot(what: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE',
    `Cannot infer a model signature from ${what}. Pass rows ({col: value}[]), a numeric array or tensor, or give { signature } explicitly.`);
}
