/**
 * Recognises the numeric containers a JS model takes, by shape rather than by
 * class, so this module loads neither tfjs nor onnxruntime: nested number
 * arrays, typed arrays, tfjs tensors, and `{ data, dims }` (onnxruntime's Tensor
 * or a plain object of that form).
 */
import type { TensorDtype } from './schema';
import { isPlainObject } from './safe-keys';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A tfjs Tensor as far as tracklab needs it. */
export interface TfTensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  arraySync(): unknown;
}

/** onnxruntime's Tensor, or `{ data: Float32Array, dims: [n, 4] }`. */
export interface DimsTensor {
  readonly data: TypedArray | readonly number[];
  readonly dims: readonly number[];
  readonly type?: string;
}

export function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

export function isTfTensorLike(value: unknown): value is TfTensorLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.shape) && typeof v.dtype === 'string' && typeof v.arraySync === 'function';
}

export function isDimsTensor(value: unknown): value is DimsTensor {
  if (value === null || typeof value !== 'object' || isTypedArray(value) || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.dims) && (isTypedArray(v.data) || Array.isArray(v.data));
}

export function typedArrayDtype(a: TypedArray): TensorDtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  return 'uint8';
}

/** tfjs dtype names and onnxruntime type names to numpy's. */
export function toNumpyDtype(name: string): TensorDtype | undefined {
  const map: Record<string, TensorDtype> = {
    float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', int8: 'int8', int16: 'int16',
    uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool', string: 'str',
  };
  return Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

/**
 * Shape of a rectangular nested array whose leaves pass `isLeaf`, or null when
 * it is ragged, empty at the top, or holds anything else.
 */
export function nestedShape(value: unknown, isLeaf: (x: unknown) => boolean = isNumberLike): number[] | null {
  if (!Array.isArray(value)) return null;
  if (value.length === 0) return null;
  const first = value[0];
  if (!Array.isArray(first) && !isTypedArray(first)) {
    return value.every(isLeaf) ? [value.length] : null;
  }
  const inner = isTypedArray(first) ? [first.length] : nestedShape(first, isLeaf);
  if (inner === null) return null;
  for (let i = 1; i < value.length; i++) {
    const row = value[i];
    const s = isTypedArray(row) ? [row.length] : nestedShape(row, isLeaf);
    if (s === null || s.length !== inner.length || s.some((d, j) => d !== inner[j])) return null;
  }
  return [value.length, ...inner];
}

export function isNumberLike(x: unknown): boolean {
  return typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean';
}

/** The shape of any recognised numeric container, or null. */
export function shapeOf(value: unknown): number[] | null {
  if (isTfTensorLike(value)) return [...value.shape];
  if (isDimsTensor(value)) return [...value.dims];
  if (isTypedArray(value)) return [value.length];
  return nestedShape(value);
}

export function isRowObjects(value: unknown): value is readonly Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
}

/** Numbers in row-major order from a nested array (the input already passed `nestedShape`). */
export function flattenNumbers(value: unknown, out: number[] = []): number[] {
  if (isTypedArray(value)) {
    const a = value as ArrayLike<number | bigint>;
    for (let i = 0; i < a.length; i++) out.push(Number(a[i]));
  } else if (Array.isArray(value)) {
    for (const x of value) flattenNumbers(x, out);
  } else {
    out.push(Number(value));
  }
  return out;
}

/** Reshapes a flat buffer into nested arrays of the given dims. */
export function unflatten(data: ArrayLike<number | bigint | boolean | string>, dims: readonly number[]): unknown {
  const values = Array.from(data as ArrayLike<unknown>, (x) => (typeof x === 'bigint' ? Number(x) : x));
  if (dims.length <= 1) return values;
  const build = (offset: number, level: number): unknown[] => {
    const n = dims[level];
    if (level === dims.length - 1) return values.slice(offset, offset + n);
    const stride = dims.slice(level + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, level + 1));
  };
  return build(0, 0);
}
