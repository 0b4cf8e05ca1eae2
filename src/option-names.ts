/**
 * Option bags of the public API refuse names they do not take. TypeScript
 * catches a misspelt option; plain JavaScript and `as any` callers would
 * otherwise have it ignored without a word (`startRun({ experimentId })`
 * logging to "Default"), so each public operation checks its bag here, once.
 */
import { TracklabError } from './errors';
import { msg } from './messages';

/** Every option name of `T`, each `true`: the compiler says when the list and the interface part. */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws INVALID_PARAMETER_VALUE for an options argument that is not an
 * object, or that has a name not in `known`; the message lists the names
 * taken and the nearest one. `undefined` passes (every option bag is optional).
 */
export function validateOptionNames<T>(operation: string, options: unknown, known: OptionNames<T>): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', msg.optionsNotObject(operation, options));
  }
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) {
      const names = Object.keys(known);
      throw new TracklabError('INVALID_PARAMETER_VALUE', msg.unknownOption(operation, key, names, nearestName(key, names)));
    }
  }
}

/**
 * The name in `names` a misspelt `key` most likely meant, or undefined:
 * compared without case, "_" or "-", one containing the other
 * (`experimentId` → `experiment`, `run_name` → `name`), else within an edit
 * distance of a third of the name's length.
 */
export function nearestName(key: string, names: readonly string[]): string | undefined {
  const fold = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const k = fold(key);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of names) {
    const n = fold(name);
    let score: number;
    if (n === k) score = 0;
    else if (Math.min(n.length, k.length) >= 4 && (k.includes(n) || n.includes(k))) score = 1;
    else {
      const d = editDistance(k, n);
      score = d <= Math.max(1, Math.floor(n.length / 3)) ? 1 + d : Infinity;
    }
    if (score < bestScore) { best = name; bestScore = score; }
  }
  return best;
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment); the names are short, so the plain table is enough. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}
