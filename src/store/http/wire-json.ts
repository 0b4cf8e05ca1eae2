/**
 * The JSON of tracklab's own store calls over HTTP (/api/tracklab/v1/…):
 * plain JSON, plus what JSON cannot say and the store contract needs exact.
 * - NaN, ±Infinity and -0 as `{"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}`;
 * - a Float64Array as `{"$f64": base64 of its little-endian bytes}`;
 * - a Set as `{"$set": [...]}`;
 * - an object without a prototype (records of user keys) as `{"$rec": {...}}`.
 * Every key is defined as an own property, so a user key such as `__proto__`
 * is a plain key on both sides and can never reach Object.prototype.
 */
import { TracklabError } from '../../errors';

const SPECIAL = new Map<string, number>([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['-0', -0]]);

function encodeValue(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $num: 'NaN' };
    if (value === Infinity) return { $num: 'Infinity' };
    if (value === -Infinity) return { $num: '-Infinity' };
    if (Object.is(value, -0)) return { $num: '-0' };
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Float64Array) return { $f64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Set) return { $set: [...value].map(encodeValue) };
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : encodeValue(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) define(out, key, encodeValue(v));
  }
  return Object.getPrototypeOf(value) === null ? { $rec: out } : out;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    if (keys[0] === '$num' && typeof obj.$num === 'string' && SPECIAL.has(obj.$num)) return SPECIAL.get(obj.$num);
    if (keys[0] === '$f64' && typeof obj.$f64 === 'string') return float64s(obj.$f64);
    if (keys[0] === '$set' && Array.isArray(obj.$set)) return new Set(obj.$set.map(decodeValue));
    if (keys[0] === '$rec' && obj.$rec !== null && typeof obj.$rec === 'object' && !Array.isArray(obj.$rec)) return decodeObject(obj.$rec as Record<string, unknown>, null);
  }
  return decodeObject(obj, Object.prototype);
}

function decodeObject(obj: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  const out = Object.create(proto) as Record<string, unknown>;
  for (const key of Object.keys(obj)) define(out, key, decodeValue(obj[key]));
  return out;
}

function float64s(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 8 !== 0) throw new TracklabError('INVALID_PARAMETER_VALUE', 'A float64 column is not a whole number of 8-byte values.');
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Text for a request or answer body. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(encodeValue(value));
}

/** The value of a body written by `toWireJson`. Throws INVALID_PARAMETER_VALUE for text that is not JSON. */
export function fromWireJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'The request body is not valid JSON.', { cause: err });
  }
  return decodeValue(parsed);
}
