/**
 * Cheap per-column statistics: nulls, min/max of numbers and dates, distinct
 * count of text and booleans. One pass over the values, bounded memory.
 */
import type { ColumnProfile } from '../entities';

/** Past this many different values a column's distinct count is left out (it would cost memory, and says little). */
export const MAX_DISTINCT = 10_000;
/** Only the first columns are profiled; the schema still lists them all. */
export const MAX_PROFILED_COLUMNS = 100;

/** Accumulates one column's statistics value by value. */
export interface ColumnStats {
  add(value: unknown): void;
  result(name: string, type: string): ColumnProfile;
}

export function columnStats(): ColumnStats {
  let nulls = 0;
  let min: number | undefined;
  let max: number | undefined;
  let minDate: number | undefined;
  let maxDate: number | undefined;
  let distinct: Set<string | boolean> | undefined = new Set();
  return {
    add(value) {
      if (value === null || value === undefined) {
        nulls++;
        return;
      }
      if (typeof value === 'number' || typeof value === 'bigint') {
        const n = Number(value);
        if (Number.isNaN(n)) return;
        if (min === undefined || n < min) min = n;
        if (max === undefined || n > max) max = n;
        return;
      }
      if (value instanceof Date) {
        const t = value.getTime();
        if (Number.isNaN(t)) return;
        if (minDate === undefined || t < minDate) minDate = t;
        if (maxDate === undefined || t > maxDate) maxDate = t;
        return;
      }
      if ((typeof value === 'string' || typeof value === 'boolean') && distinct !== undefined) {
        distinct.add(value);
        if (distinct.size > MAX_DISTINCT) distinct = undefined;
      }
    },
    result(name, type) {
      const profile: { -readonly [K in keyof ColumnProfile]: ColumnProfile[K] } = { name, type, nulls };
      if (min !== undefined && max !== undefined) {
        // JSON has no Infinity: keep it readable instead of turning into null.
        profile.min = Number.isFinite(min) ? min : String(min);
        profile.max = Number.isFinite(max) ? max : String(max);
      } else if (minDate !== undefined && maxDate !== undefined) {
        profile.min = new Date(minDate).toISOString();
        profile.max = new Date(maxDate).toISOString();
      }
      if (distinct !== undefined && distinct.size > 0) profile.distinct = distinct.size;
      return profile;
    },
  };
}
