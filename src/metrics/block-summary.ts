/**
 * The summary of one block, with MLflow's rule for the latest value: the
 * point with the greatest step wins, ties go to the greatest timestamp, and
 * remaining ties to the point logged later. Minimum and maximum skip NaN;
 * -0 counts as smaller than 0, as in Math.min. Each store backend folds a
 * block's summary into the stored one by the same rule (its UPSERT_SUMMARY),
 * and `mergeSummaries` does it in memory.
 */
import type { MetricSummary } from '../entities';
import { TracklabError } from '../errors';

/**
 * Summary of one block, or undefined for an empty block. Refuses with
 * INVALID_PARAMETER_VALUE steps or timestamps that logMetric refuses: not
 * integers within ±2^53, or a negative timestamp. Keys are checked where
 * they come in (logMetric, the server), not here: a store keeps any key.
 */
export function summarizeBlock(
  runId: string, key: string, steps: Float64Array, timestamps: Float64Array, values: Float64Array,
): MetricSummary | undefined {
  const n = values.length;
  if (steps.length !== n || timestamps.length !== n) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `Metric "${key}" of run ${runId}: a block needs equal-length columns, got ${steps.length} steps, ${timestamps.length} timestamps and ${n} values.`);
  }
  if (n === 0) return undefined;
  let last = 0;
  let min = NaN;
  let max = NaN;
  for (let i = 0; i < n; i++) {
    const step = steps[i];
    const ts = timestamps[i];
    // As logMetric checks them (validation.ts): past 2^53 a double no longer tells neighbouring integers apart.
    if (!Number.isSafeInteger(step) || !Number.isSafeInteger(ts) || ts < 0) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `Metric "${key}" of run ${runId}: step ${step} and timestamp ${ts} must both be integers within ±${Number.MAX_SAFE_INTEGER}, the timestamp not negative (ms since the epoch).`);
    }
    if (step > steps[last] || (step === steps[last] && ts >= timestamps[last])) last = i;
    const v = values[i];
    if (v !== v) continue; // NaN never sets min or max
    if (!(v >= min) || (v === 0 && min === 0 && 1 / v < 0)) min = v;
    if (!(v <= max) || (v === 0 && max === 0 && 1 / v > 0)) max = v;
  }
  return { key, last: values[last], lastStep: steps[last], lastTimestamp: timestamps[last], min, max, count: n };
}

/**
 * The summary of `earlier` followed by `later`, by the rule above: the later
 * latest point wins ties; of two equal zeros, min keeps -0 if either was -0
 * and max keeps -0 only if both were.
 */
export function mergeSummaries(earlier: MetricSummary, later: MetricSummary): MetricSummary {
  const newer = later.lastStep > earlier.lastStep || (later.lastStep === earlier.lastStep && later.lastTimestamp >= earlier.lastTimestamp);
  const last = newer ? later : earlier;
  return {
    key: earlier.key,
    last: last.last,
    lastStep: last.lastStep,
    lastTimestamp: last.lastTimestamp,
    min: Number.isNaN(earlier.min) || later.min < earlier.min || (later.min === 0 && earlier.min === 0 && 1 / later.min < 0) ? later.min : earlier.min,
    max: Number.isNaN(earlier.max) || later.max > earlier.max || (later.max === 0 && earlier.max === 0 && 1 / earlier.max < 0) ? later.max : earlier.max,
    count: earlier.count + later.count,
  };
}
