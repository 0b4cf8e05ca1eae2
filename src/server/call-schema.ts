/**
 * Argument shapes of tracklab's store calls over HTTP (`/api/tracklab/v1/store/…`
 * and `registry/…`). Each method has one schema (call-schemas-*.ts); a call
 * whose arguments do not fit is refused with INVALID_PARAMETER_VALUE naming
 * the field (`entries[2].sha256`), before the store sees it, so a wrong type
 * never reaches a backend as a 500.
 *
 * A schema is a function that throws; the combinators below build them.
 * Objects are exact: an unknown field is refused, so a misspelt option is
 * an error instead of silently nothing.
 */
import { TracklabError } from '../errors';
import { describe } from '../messages';
import { isPlainObject } from '../models/safe-keys';

export type Schema = (value: unknown, at: string) => void;

function refuse(at: string, value: unknown, expected: string): never {
  throw new TracklabError('INVALID_PARAMETER_VALUE', `Invalid value ${describe(value)} for '${at}': expected ${expected}.`);
}

export const str = (maxChars = 1_000_000): Schema => (v, at) => {
  if (typeof v !== 'string') refuse(at, v, 'a string');
  if (v.length > maxChars) refuse(at, `${v.slice(0, 20)}…`, `a string of at most ${maxChars} characters`);
};

/** Any number, NaN and ±Infinity included (metric values). */
export const num: Schema = (v, at) => { if (typeof v !== 'number') refuse(at, v, 'a number'); };

export const finite: Schema = (v, at) => { if (typeof v !== 'number' || !Number.isFinite(v)) refuse(at, v, 'a finite number'); };

export const int = (min = Number.MIN_SAFE_INTEGER): Schema => (v, at) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) refuse(at, v, min === 0 ? 'a whole number >= 0' : min === 1 ? 'a whole number >= 1' : 'a whole number');
};

export const bool: Schema = (v, at) => { if (typeof v !== 'boolean') refuse(at, v, 'true or false'); };

export const oneOf = (...allowed: readonly (string | number | boolean)[]): Schema => (v, at) => {
  if (!allowed.includes(v as string)) refuse(at, v, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
};

export const nullable = (s: Schema): Schema => (v, at) => { if (v !== null) s(v, at); };

export const float64s: Schema = (v, at) => { if (!(v instanceof Float64Array)) refuse(at, v, 'a Float64Array'); };

export const arr = (item: Schema, maxItems = 100_000): Schema => (v, at) => {
  if (!Array.isArray(v)) refuse(at, v, 'an array');
  if (v.length > maxItems) refuse(at, `an array of ${v.length}`, `at most ${maxItems} items`);
  v.forEach((x, i) => item(x, `${at}[${i}]`));
};

/** A record of user keys (params, tags): any string keys, each value checked. */
export const rec = (value: Schema, maxKeys = 10_000): Schema => (v, at) => {
  if (!isRecord(v)) refuse(at, v, 'an object');
  const keys = Object.keys(v);
  if (keys.length > maxKeys) refuse(at, `an object of ${keys.length} keys`, `at most ${maxKeys} keys`);
  for (const k of keys) value(v[k], `${at}[${JSON.stringify(k)}]`);
};

export interface Field {
  readonly schema: Schema;
  readonly optional?: boolean;
}

/** An optional field of `obj` (absent or undefined; null only if the schema takes it). */
export const opt = (schema: Schema): Field => ({ schema, optional: true });

export const obj = (fields: Readonly<Record<string, Schema | Field>>): Schema => (v, at) => {
  if (!isRecord(v)) refuse(at, v, 'an object');
  for (const k of Object.keys(v)) {
    if (!Object.prototype.hasOwnProperty.call(fields, k)) refuse(`${at}.${k}`, v[k], `no such field (known: ${Object.keys(fields).join(', ')})`);
  }
  for (const [k, f] of Object.entries(fields)) {
    const field: Field = typeof f === 'function' ? { schema: f } : f;
    const value = v[k];
    if (value === undefined) {
      if (!field.optional) refuse(`${at}.${k}`, value, 'a value (it is required)');
      continue;
    }
    field.schema(value, `${at}.${k}`);
  }
};

/** A schema plus a check of what the types cannot say (equal column lengths, a canonical path). */
export const refine = (s: Schema, check: (v: never, at: string) => void): Schema => (v, at) => {
  s(v, at);
  check(v as never, at);
};

export const anyOf = (expected: string, pick: (v: unknown) => Schema | undefined): Schema => (v, at) => {
  const s = pick(v);
  if (s === undefined) refuse(at, v, expected);
  s(v, at);
};

export interface Argument {
  readonly name: string;
  readonly schema: Schema;
  /** May be left out (arrives as null over the wire, where JSON has no undefined). */
  readonly optional?: boolean;
}

export const arg = (name: string, schema: Schema): Argument => ({ name, schema });
export const optArg = (name: string, schema: Schema): Argument => ({ name, schema, optional: true });

/** The schema of a whole call: its arguments in order. Returns them with absent optionals as undefined. */
export function checkCall(method: string, params: readonly Argument[], args: readonly unknown[]): unknown[] {
  if (args.length > params.length) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${method} takes ${params.length} argument(s) (${params.map((p) => p.name).join(', ')}); got ${args.length}.`);
  }
  return params.map((p, i) => {
    const value = args[i];
    if (value === undefined || value === null) {
      if (p.optional) return undefined;
      refuse(p.name, value, 'a value (it is required)');
    }
    p.schema(value, p.name);
    return value;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null);
}
