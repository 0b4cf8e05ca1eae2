/**
 * `autolog({ params: ['lr', 'classes'] })`: the user named these variables,
 * so they are taken as the store takes any param, without auto-capture's
 * guesses about what is a setting (strings of at most 100 characters, arrays
 * of at most 8). A plain object is flattened into `name.key` leaves as
 * auto-capture does (unless it holds a function: then it is code, such as a
 * module, and skipped whole); an array becomes its JSON. What the store would still
 * reject (a function, a module, a value over 6000 characters) is reported
 * with the reason, so the caller can warn instead of dropping it silently.
 */
import { isTracklabError } from '../errors';
import { stringifyParam, validateKey } from '../validation';
import { CaptureLimits, isModuleObject, isPlainObject, loadedModules } from './auto-capture';
import { notebookMsg } from './messages';

export interface NamedCapture {
  readonly params: Record<string, string>;
  /** Variables (or leaves of a named object, as `name.key`) not taken, with why. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * @example
 * captureNamedParams({ classes: ['a', 'b', ...], train: () => 1 }, ['classes', 'train'])
 * // → { params: { classes: '["a","b",...]' }, skipped: [{ name: 'train', reason: 'it is a function' }] }
 */
export function captureNamedParams(scope: Readonly<Record<string, unknown>>, names: readonly string[]): NamedCapture {
  const modules = loadedModules();
  const params: [string, string][] = [];
  const skipped: { name: string; reason: string }[] = [];
  const take = (key: string, value: unknown, depth: number): void => {
    const code = isPlainObject(value) ? functionIn(value) : undefined;
    if (code !== undefined) {
      skipped.push({ name: key, reason: notebookMsg.namedParamHoldsCode(`${key}.${code}`) });
      return;
    }
    if (isPlainObject(value) && !isModuleObject(value, modules) && depth < CaptureLimits.maxDepth) {
      for (const k of Object.keys(value)) take(`${key}.${k}`, value[k], depth + 1);
      return;
    }
    const reason = params.length >= CaptureLimits.maxParams ? notebookMsg.namedParamOverCap(CaptureLimits.maxParams) : unusable(value, modules);
    if (reason !== undefined) {
      skipped.push({ name: key, reason });
      return;
    }
    try {
      validateKey('Param', key);
      params.push([key, stringifyParam(key, ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value)]);
    } catch (error) {
      // The store's own rules (key, length, JSON): its message says what is wrong.
      if (!isTracklabError(error)) throw error;
      skipped.push({ name: key, reason: error.message });
    }
  };
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(scope, name) || scope[name] === undefined) skipped.push({ name, reason: notebookMsg.namedParamUndefined() });
    else take(name, scope[name], 0);
  }
  return { params: Object.fromEntries(params), skipped };
}

/** The path of a function inside a plain object (a module's exports, or an object of callbacks), if any. */
function functionIn(value: Record<string, unknown>, seen = new Set<unknown>()): string | undefined {
  seen.add(value);
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'function') return key;
    const inner = isPlainObject(v) && !seen.has(v) ? functionIn(v, seen) : undefined;
    if (inner !== undefined) return `${key}.${inner}`;
  }
  return undefined;
}

/** Why a value is no param even though the user named it; undefined when the store may take it. */
function unusable(value: unknown, modules: ReadonlySet<unknown>): string | undefined {
  if (typeof value === 'function') return notebookMsg.namedParamKind('a function or class');
  if (typeof value === 'symbol') return notebookMsg.namedParamKind('a symbol');
  if (value === undefined) return notebookMsg.namedParamUndefined();
  if (isModuleObject(value, modules)) return notebookMsg.namedParamKind('a module');
  if (value instanceof Map || value instanceof Set) return notebookMsg.namedParamKind('a Map or Set');
  const plainish = value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value) || value instanceof Date || isPlainObject(value);
  if (!plainish) return notebookMsg.namedParamKind(`an instance of ${(value as object).constructor?.name || 'a class'}`);
  return undefined;
}
