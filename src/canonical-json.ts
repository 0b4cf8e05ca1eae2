/**
 * One text per value, whatever the key order: the basis of row datasets'
 * digests and of search page tokens. Unlike JSON.stringify it keeps NaN,
 * ±Infinity, -0, bigint and Date apart from null and strings, so different
 * data never hashes alike.
 */
import { TracklabError } from './errors';

const MAX_DEPTH = 100;

export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new TracklabError('INVALID_PARAMETER_VALUE', `Dataset rows nest deeper than ${MAX_DEPTH} levels (a cycle?); pass plain row objects.`);
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? '{"$number":"-0"}' : JSON.stringify(value);
      return `{"$number":"${String(value)}"}`;
    case 'bigint':
      return `{"$bigint":"${value.toString()}"}`;
    case 'object': {
      if (value instanceof Date) return `{"$date":${JSON.stringify(Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString())}}`;
      if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number | bigint>, (v) => canonicalJson(v, depth + 1)).join(',')}]`;
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
      const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new TracklabError('INVALID_PARAMETER_VALUE', `Dataset rows may hold only data (numbers, strings, booleans, dates, arrays, objects), not a ${typeof value}.`);
  }
}
