import type { Run } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { nearestName } from '../option-names';

export type Mode = 'min' | 'max';

/**
 * Which direction is better when the caller does not say: keys that read as
 * a loss or an error are minimised, everything else maximised.
 */
export function inferMode(metric: string): Mode {
  return /loss|err|mse|mae|rmse|perplex|latency|time|cost|regret|wer|cer/i.test(metric) ? 'min' : 'max';
}

/** The value a comparison ranks by: the last logged value, as MLflow's search does. */
export function metricValue(run: Run, metric: string): number {
  const summary = run.data.metrics[metric];
  return summary ? summary.last : NaN;
}

/** Index of the best run by `mode` over finite values, or -1. */
export function bestIndex(values: readonly number[], mode: Mode): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (best < 0 || (mode === 'min' ? v < values[best] : v > values[best])) best = i;
  }
  return best;
}

/** Indices of every run tied for the best finite value by `mode` (equal values), in order; empty when none is finite. */
export function bestIndices(values: readonly number[], mode: Mode): number[] {
  const best = bestIndex(values, mode);
  return best < 0 ? [] : values.flatMap((v, i) => (v === values[best] ? [i] : []));
}

/** Params whose value differs across runs (a missing value counts as a value). */
export function differingParams(runs: readonly Run[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))];
  if (runs.length < 2) return keys;
  // undefined stands for a missing value: a Set tells it from every string.
  return keys.filter((k) => new Set(runs.map((r) => (Object.prototype.hasOwnProperty.call(r.data.params, k) ? r.data.params[k] : undefined))).size > 1);
}

/** Throws INVALID_PARAMETER_VALUE, naming the metrics the runs have and the nearest, when no run logged `metric`. */
export function requireLoggedMetric(runs: readonly Run[], metric: string): void {
  if (runs.some((r) => r.data.metrics[metric] !== undefined)) return;
  const metrics = metricKeys(runs).sort();
  throw new TracklabError('INVALID_PARAMETER_VALUE', msg.noRunHasMetric(metric, metrics, nearestName(metric, metrics)));
}

/** Metric keys in first-seen order across runs. */
export function metricKeys(runs: readonly Run[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.data.metrics)))];
}
