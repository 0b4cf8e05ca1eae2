/**
 * JSON from untrusted sources (HTTP bodies, files inside a model package):
 * nesting depth is checked on the raw text before `JSON.parse` runs, so a
 * `[[[[...` bomb never reaches the recursive parser, and a reviver refuses the
 * keys that reach Object.prototype when data is later merged or spread.
 */
import { TracklabError, type ErrorCode } from '../errors';
import { FORBIDDEN_KEYS } from './safe-keys';

export interface SafeJsonOptions {
  /** Names the source in error messages, e.g. "The request body". */
  readonly what: string;
  /** Deepest allowed nesting of arrays and objects. Default 100. */
  readonly maxDepth?: number;
  /** Error code to throw with. Default INVALID_PARAMETER_VALUE. */
  readonly code?: ErrorCode;
}

export function parseSafeJson(text: string, options: SafeJsonOptions): unknown {
  const code = options.code ?? 'INVALID_PARAMETER_VALUE';
  const maxDepth = options.maxDepth ?? 100;
  const depth = maxNestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw new TracklabError(code, `${options.what} nests arrays/objects deeper than ${maxDepth} levels; flatten the data.`);
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      return value;
    });
  } catch (err) {
    if (err instanceof ForbiddenKey) {
      throw new TracklabError(code, `${options.what} contains the key "${err.key}", which is refused to prevent prototype pollution.`);
    }
    throw new TracklabError(code, `${options.what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

/** Scans the text once, skipping string contents; stops early once `limit` is exceeded. */
export function maxNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
