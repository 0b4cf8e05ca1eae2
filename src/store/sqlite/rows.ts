/** Row shapes of the SQLite tables and their mapping to entities (runs and experiments: ../rows.ts). */
import type { MetricSummary } from '../../entities';

export { experimentFromRow, type ExperimentRow, RUN_COLUMNS, runInfoFromRow, type RunRow } from '../rows';

export interface SummaryRow {
  readonly key: string;
  readonly last_value: number | null;
  readonly last_is_nan: number;
  readonly last_step: number;
  readonly last_timestamp: number;
  readonly min_value: number | null;
  readonly max_value: number | null;
  readonly count: number;
  readonly neg_zero_mask: number;
}

export const SUMMARY_COLUMNS = 's.key, s.last_value, s.last_is_nan, s.last_step, s.last_timestamp, '
  + 's.min_value, s.max_value, s.count, s.neg_zero_mask';

/** neg_zero_mask bits: SQLite keeps -0.0 as 0, so the sign lives here. */
export const NEG_ZERO_LAST = 1;
export const NEG_ZERO_MIN = 2;
export const NEG_ZERO_MAX = 4;

/** Restores NaN (stored as NULL) and -0 (stored as 0 plus a flag bit). */
export function summaryFromRow(row: SummaryRow): MetricSummary {
  const mask = row.neg_zero_mask;
  return {
    key: row.key,
    last: row.last_is_nan ? NaN : mask & NEG_ZERO_LAST ? -0 : (row.last_value as number),
    lastStep: row.last_step,
    lastTimestamp: row.last_timestamp,
    min: row.min_value === null ? NaN : mask & NEG_ZERO_MIN ? -0 : row.min_value,
    max: row.max_value === null ? NaN : mask & NEG_ZERO_MAX ? -0 : row.max_value,
    count: row.count,
  };
}

/** The values and mask to store for a summary; NaN goes to NULL. */
export function summaryToColumns(s: MetricSummary): {
  last: number | null; lastIsNan: number; min: number | null; max: number | null; mask: number;
} {
  const isNegZero = (x: number): boolean => x === 0 && 1 / x < 0;
  return {
    last: Number.isNaN(s.last) ? null : s.last,
    lastIsNan: Number.isNaN(s.last) ? 1 : 0,
    min: Number.isNaN(s.min) ? null : s.min,
    max: Number.isNaN(s.max) ? null : s.max,
    mask: (isNegZero(s.last) ? NEG_ZERO_LAST : 0) | (isNegZero(s.min) ? NEG_ZERO_MIN : 0) | (isNegZero(s.max) ? NEG_ZERO_MAX : 0),
  };
}
