/**
 * The summary of one block, with MLflow's rule for the latest value: the
 * point with the greatest step wins, ties go to the greatest timestamp, and
 * remaining ties to the point logged later. Minimum and maximum skip NaN;
 * -0 counts as smaller than 0, as in Math.min. The stored summary absorbs
 * it by the same rule in metric-blocks.ts (UPSERT_SUMMARY).
 */
import type { MetricSummary } from '../../entities';
import { TracklabError } from '../../errors';

/** Summary of one block, or undefined for an empty block. */
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
    if (!Number.isInteger(step) || !Number.isInteger(ts)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `Metric "${key}" of run ${runId}: step ${step} and timestamp ${ts} must both be integers (timestamps in ms since the epoch).`);
    }
    if (step > steps[last] || (step === steps[last] && ts >= timestamps[last])) last = i;
    const v = values[i];
    if (v !== v) continue; // NaN never sets min or max
    if (!(v >= min) || (v === 0 && min === 0 && 1 / v < 0)) min = v;
    if (!(v <= max) || (v === 0 && max === 0 && 1 / v > 0)) max = v;
  }
  return { key, last: values[last], lastStep: steps[last], lastTimestamp: timestamps[last], min, max, count: n };
}
