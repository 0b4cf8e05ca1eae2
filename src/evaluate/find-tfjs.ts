/**
 * The user's loaded tfjs-core, found in `require.cache`: tracklab never
 * imports tfjs itself, but a tfjs model given rows needs a tensor built by
 * the same copy of tfjs that built the model.
 */
import * as path from 'node:path';

export interface TfjsCore {
  tensor2d(values: number[][]): { dispose(): void };
}

const CORE_DIR = `${path.sep}@tensorflow${path.sep}tfjs-core${path.sep}`;

export function findTfjs(): TfjsCore | undefined {
  for (const [file, entry] of Object.entries(require.cache)) {
    if (!file.includes(CORE_DIR) || !entry?.loaded) continue;
    const exports = entry.exports as Partial<TfjsCore> | undefined;
    if (typeof exports?.tensor2d === 'function') return exports as TfjsCore;
  }
  return undefined;
}
