import { TracklabError } from '../errors';

/** Default bound on drawn points per series. */
export const DEFAULT_MAX_POINTS = 1000;

/**
 * Picks which points of a long series to draw: min-max buckets over the
 * index range, plus the first and last point. Each bucket keeps its lowest
 * and highest finite value, so the global min and max always survive, and its
 * first non-finite point (NaN, ±Infinity) as a gap marker so a line still
 * breaks where the data did. Returns ascending indices into the input; the
 * caller reads steps, values (and a smoothed copy) through them, which keeps
 * the hot loop free of per-point objects.
 *
 * @example
 * const idx = downsampleIndices(values, 500);
 * const drawn = Array.from(idx, (i) => [steps[i], values[i]]);
 */
export function downsampleIndices(values: ArrayLike<number>, maxPoints: number = DEFAULT_MAX_POINTS): Uint32Array {
  checkMaxPoints(maxPoints);
  const n = values.length;
  if (n <= maxPoints) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  let nonFinite = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) nonFinite++;
  const perBucket = nonFinite > 0 ? 3 : 2;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / perBucket));
  const out = new Uint32Array(buckets * perBucket + 2);
  let len = 0;
  out[len++] = 0;
  const interior = n - 2;
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let lo = -1;
    let hi = -1;
    let gap = -1;
    let loV = Infinity;
    let hiV = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v !== v || v === Infinity || v === -Infinity) {
        if (gap < 0) gap = i;
        continue;
      }
      if (v < loV) {
        loV = v;
        lo = i;
      }
      if (v > hiV) {
        hiV = v;
        hi = i;
      }
    }
    len = pushSorted(out, len, lo, hi, gap);
  }
  out[len++] = n - 1;
  return out.subarray(0, len);
}

/**
 * Downsampled copies of a series' steps and values (see downsampleIndices).
 *
 * @example
 * const { steps, values } = downsample(series.steps, series.values, 1000);
 */
export function downsample(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  maxPoints: number = DEFAULT_MAX_POINTS,
): { steps: Float64Array; values: Float64Array } {
  const idx = downsampleIndices(values, maxPoints);
  const s = new Float64Array(idx.length);
  const v = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    s[i] = steps[idx[i]];
    v[i] = values[idx[i]];
  }
  return { steps: s, values: v };
}

function checkMaxPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new TracklabError(
      'INVALID_PARAMETER_VALUE',
      `maxPoints must be an integer of at least 4 (first, last, one min and one max), got ${String(maxPoints)}. Pass e.g. 1000.`,
    );
  }
}

/** Appends up to three distinct indices (-1 = absent) in ascending order. */
function pushSorted(out: Uint32Array, len: number, a: number, b: number, c: number): number {
  let t: number;
  if (a > b) (t = a), (a = b), (b = t);
  if (b > c) (t = b), (b = c), (c = t);
  if (a > b) (t = a), (a = b), (b = t);
  if (a >= 0) out[len++] = a;
  if (b >= 0 && b !== a) out[len++] = b;
  if (c >= 0 && c !== b) out[len++] = c;
  return len;
}
