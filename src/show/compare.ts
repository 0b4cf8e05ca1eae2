/** `compare()`: runs side by side under the cell — table, histories, parallel coordinates, scatter. */
import type { Run } from '../entities';
import { datasetLabels } from '../datasets/dataset-labels';
import { TracklabError } from '../errors';
import { display } from '../notebook/display';
import type { DisplayBundle } from '../views/bundle';
import { compareBundles } from '../views/comparison';
import { selectRuns, type RunSelection } from './select-runs';

export interface CompareOptions extends RunSelection {
  /** Metric to compare on; default: the metric most runs share (loss-like keys first). */
  readonly metric?: string;
  /** Which direction is best; default 'min' for loss/error-like keys, else 'max'. */
  readonly mode?: 'min' | 'max';
  /** EMA smoothing weight in [0, 1) for the history chart. */
  readonly smoothing?: number;
  readonly logScale?: boolean;
  /** Params for the table and parallel coordinates; default: those that differ. */
  readonly params?: readonly string[];
  /** Param of the scatter; default: the one most related to the metric. */
  readonly scatterParam?: string;
}

/**
 * Compares runs on one metric right under the cell: a table of the params
 * that differ (and the datasets each run used, when any run logged one)
 * with last/min/max of the metric and the best run marked, the
 * metric histories overlaid (one line per run), parallel coordinates from
 * params to the metric, and a scatter of the most relevant param. Outside a
 * notebook it prints the text forms.
 *
 * @example
 * await tracklab.compare({ experiment: 'quickstart', metric: 'val_loss', smoothing: 0.6 });
 * await tracklab.compare({ filter: "params.optimizer = 'adam'", metric: 'acc', mode: 'max' });
 */
export async function compare(options: CompareOptions = {}): Promise<void> {
  for (const bundle of await comparison(options)) display(bundle);
}

/** The bundles `compare()` displays, for callers that send them elsewhere. */
export async function comparison(options: CompareOptions = {}): Promise<DisplayBundle[]> {
  const { client, runs } = await selectRuns(options);
  if (runs.length === 0) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', 'No runs to compare: check the experiment name and filter, or log a run first.');
  }
  const metric = options.metric ?? defaultMetric(runs);
  const ids = runs.map((r) => r.info.runId);
  const [histories, inputs] = await Promise.all([client.metricColumns(ids, [metric]), client.listInputs(ids)]);
  return compareBundles({
    runs, histories, metric, mode: options.mode, smoothing: options.smoothing, logScale: options.logScale,
    params: options.params, scatterParam: options.scatterParam, datasets: datasetLabels(inputs),
  });
}

function defaultMetric(runs: readonly Run[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) for (const key of Object.keys(run.data.metrics)) counts.set(key, (counts.get(key) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) =>
    b[1] - a[1] || lossRank(a[0]) - lossRank(b[0]) || a[0].localeCompare(b[0]));
  if (ranked.length === 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'These runs have no metrics to compare: log some with run.log({ loss }) or pass { metric }.');
  }
  return ranked[0][0];
}

function lossRank(key: string): number {
  return /^val_?loss$/i.test(key) ? 0 : /loss/i.test(key) ? 1 : 2;
}
