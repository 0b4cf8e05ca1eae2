/**
 * JSON from untrusted sources (HTTP bodies, files inside a model package):
 * nesting depth is checked on the raw text before `JSON.parse` runs, so a
 * `[[[[...` bomb never reaches the recursive parser, and a reviver refuses the
 * keys that reach Object.prototype when data is later merged or spread.
 */
import { randomBytes } from 'node:crypto';
import { TracklabError, type ErrorCode } from '../errors';
import { FORBIDDEN_KEYS } from './safe-keys';

export interface SafeJsonOptions {
  /** Names the source in error messages, e.g. "The request body". */
  readonly what: string;
  /** Deepest allowed nesting of arrays and objects. Default 100. */
  readonly maxDepth?: number;
  /** Error code to throw with. Default INVALID_PARAMETER_VALUE. */
  readonly code?: ErrorCode;
  /** Accept the bare tokens NaN, Infinity and -Infinity as numbers, as Python's json.loads does (MLflow's scoring server). */
  readonly nonFinite?: boolean;
}

export function parseSafeJson(text: string, options: SafeJsonOptions): unknown {
  const code = options.code ?? 'INVALID_PARAMETER_VALUE';
  const maxDepth = options.maxDepth ?? 100;
  const depth = maxNestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw new TracklabError(code, `${options.what} nests arrays/objects deeper than ${maxDepth} levels; flatten the data.`);
  }
  const tokens = options.nonFinite ? nonFiniteTokens(text) : undefined;
  try {
    return JSON.parse(tokens?.text ?? text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      if (tokens !== undefined && typeof value === 'string' && value.startsWith(tokens.marker)) return tokens.values.get(value) ?? value;
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

/**
 * The text with each bare NaN, Infinity and -Infinity (outside strings)
 * replaced by a string that cannot occur in the input: it carries a random
 * marker made for this call. The reviver turns those strings back into numbers.
 */
function nonFiniteTokens(text: string): { text: string; marker: string; values: Map<string, number> } | undefined {
  if (!/NaN|Infinity/.test(text)) return undefined;
  const marker = `\u0000nonfinite-${randomBytes(12).toString('hex')}-`;
  const values = new Map([[`${marker}NaN`, NaN], [`${marker}Infinity`, Infinity], [`${marker}-Infinity`, -Infinity]]);
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) { inString = true; continue; }
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('-Infinity', i) ? '-Infinity' : undefined;
    if (token === undefined) continue;
    out += `${text.slice(from, i)}${JSON.stringify(marker + token)}`;
    i += token.length - 1;
    from = i + 1;
  }
  return { text: out + text.slice(from), marker, values };
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
