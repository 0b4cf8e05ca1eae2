/**
 * Picks the notebook's settings out of its top-level variables, as MLflow and
 * W&B autolog take hyperparameters (names the user lists are taken as
 * they are: see named-params.ts): a param is a number, a boolean, a string
 * of at most 100 characters, an array of at most 8 of those, or a small
 * config object whose every leaf is one of those (flattened as `a.b`, at
 * most 20 leaves, 2 levels). Anything else is data and never taken: a longer
 * string or array (`const LABELS = [...10 names]`), an object with a long
 * string or a longer array in it, an object keyed by numbers (a lookup table
 * such as `TEMPLATES[label]`, whatever its size), modules, functions,
 * classes, class instances, typed arrays, maps, dates.
 */
import { validateKey } from '../validation';

export interface CaptureOptions {
  /** Names to skip, e.g. those bound by import statements. */
  readonly exclude?: ReadonlySet<string>;
}

export const CaptureLimits = {
  /** Params taken from one notebook at most. */
  maxParams: 100,
  /** Longer strings are text or data (templates, prompts, file contents), not settings. */
  maxStringLength: 100,
  /** Longer arrays are data (class labels, vocabularies, samples); layer sizes and betas fit. */
  maxArrayLength: 8,
  /** Leaves of one plain object after flattening; bigger objects are skipped whole. */
  maxObjectLeaves: 20,
  maxDepth: 2,
} as const;

type Primitive = string | number | boolean;

/** Names tslab itself puts on `__tslab__.exports`. */
const KERNEL_NAMES = new Set(['tsLastExpr']);

function isPrimitive(value: unknown): value is Primitive {
  if (typeof value === 'string') return value.length <= CaptureLimits.maxStringLength;
  return typeof value === 'number' || typeof value === 'boolean';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `{ 0: [...], 4: [...] }`: rows looked up by a number, as a table of data is; a config names its fields. */
function isKeyedByNumbers(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key));
}

/** Module objects as `import * as x` or `require()` bind them. */
export function isModuleObject(value: unknown, modules: ReadonlySet<unknown>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (modules.has(value)) return true;
  if (Object.prototype.hasOwnProperty.call(value, '__esModule')) return true;
  return (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
}

export function loadedModules(): Set<unknown> {
  const out = new Set<unknown>();
  for (const entry of Object.values(require.cache)) if (entry) out.add(entry.exports);
  return out;
}

function smallArray(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length > CaptureLimits.maxArrayLength) return undefined;
  return value.every(isPrimitive) ? JSON.stringify(value) : undefined;
}

function usableKey(key: string): boolean {
  try {
    validateKey('Param', key);
    return true;
  } catch {
    return false;
  }
}

/** Flattens a plain object into `prefix.key` leaves; undefined if anything in it is not capturable. */
function flatten(prefix: string, value: Record<string, unknown>, depth: number, out: [string, Primitive][]): boolean {
  if (depth > CaptureLimits.maxDepth) return false;
  for (const key of Object.keys(value)) {
    const name = `${prefix}.${key}`;
    const leaf = value[key];
    const array = isPrimitive(leaf) ? undefined : smallArray(leaf);
    if (isPrimitive(leaf)) out.push([name, leaf]);
    else if (array !== undefined) out.push([name, array]);
    else if (isPlainObject(leaf) && !isKeyedByNumbers(leaf)) {
      if (!flatten(name, leaf, depth + 1, out)) return false;
    } else return false;
    if (out.length > CaptureLimits.maxObjectLeaves) return false;
  }
  return true;
}

/** The capturable params of one top-level value, as [key, value] pairs. */
function captureOne(name: string, value: unknown, modules: ReadonlySet<unknown>): [string, Primitive][] {
  if (isPrimitive(value)) return [[name, value]];
  const array = smallArray(value);
  if (array !== undefined) return [[name, array]];
  if (isPlainObject(value) && !isKeyedByNumbers(value) && !isModuleObject(value, modules)) {
    const leaves: [string, Primitive][] = [];
    return flatten(name, value, 1, leaves) ? leaves : [];
  }
  return [];
}

/**
 * Params from a notebook scope (tslab's `__tslab__.exports`), in declaration
 * order, at most CaptureLimits.maxParams. Values keep their JS type; the run
 * stores them as text.
 *
 * @example
 * captureParams({ lr: 0.1, layers: [64, 32], opt: { name: 'sgd', momentum: 0.9 }, data: new Float64Array(9) })
 * // → { lr: 0.1, layers: '[64,32]', 'opt.name': 'sgd', 'opt.momentum': 0.9 }
 */
export function captureParams(scope: Readonly<Record<string, unknown>>, opts: CaptureOptions = {}): Record<string, Primitive> {
  const names = Object.keys(scope);
  const modules = loadedModules();
  // Collected as entries: Object.fromEntries keeps every name as an own key ("constructor" too).
  const out: [string, Primitive][] = [];
  for (const name of names) {
    if (KERNEL_NAMES.has(name) || name.startsWith('_') || opts.exclude?.has(name)) continue;
    if (!Object.prototype.hasOwnProperty.call(scope, name)) continue;
    for (const [key, value] of captureOne(name, scope[name], modules)) {
      if (out.length >= CaptureLimits.maxParams) return Object.fromEntries(out);
      if (!usableKey(key)) continue;
      out.push([key, value]);
    }
  }
  return Object.fromEntries(out);
}

/**
 * Names bound by import statements in TypeScript source
 * (`import a, { b as c } from 'm'`, `import * as d from 'm'`, `import e = require('m')`).
 */
export function importedNames(source: string): string[] {
  const names: string[] = [];
  const statement = /(?:^|[;\n])\s*import\s+(?!type\s)([^;'"]*?)\s+from\s+['"][^'"]+['"]/g;
  for (const match of source.matchAll(statement)) {
    const clause = match[1];
    const star = clause.match(/\*\s+as\s+([\w$]+)/);
    if (star) names.push(star[1]);
    const braces = clause.match(/\{([\s\S]*)\}/);
    if (braces) {
      for (const part of braces[1].split(',')) {
        const bound = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim();
        if (bound) names.push(bound);
      }
    }
    const head = clause.replace(/\{[\s\S]*\}/, '').replace(/\*\s+as\s+[\w$]+/, '').split(',')[0]?.trim();
    if (head && /^[\w$]+$/.test(head)) names.push(head);
  }
  for (const match of source.matchAll(/(?:^|[;\n])\s*import\s+([\w$]+)\s*=\s*require\s*\(/g)) names.push(match[1]);
  return names;
}

/**
 * Names a cell declares with `let` or `var`. In the cell that opens a run
 * these are its working state (a loop's weights, counters), not settings,
 * and their value at the first log() is meaningless as a param.
 */
export function mutableNames(source: string): string[] {
  return declaredBy(source, /\b(?:let|var)\s+([^;\n]*)/g);
}

/** Names a cell declares at any level with const, let or var (destructuring is not followed). */
export function declaredNames(source: string): string[] {
  return declaredBy(source, /\b(?:const|let|var)\s+([^;\n]*)/g);
}

/** The first name of each declaration `statement` matches, plus the names after its commas. */
function declaredBy(source: string, statement: RegExp): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(statement)) {
    const first = match[1].match(/^([\w$]+)/);
    if (first) names.push(first[1]);
    for (const more of match[1].matchAll(/,\s*([\w$]+)\s*(?==|,|$)/g)) names.push(more[1]);
  }
  return names;
}
