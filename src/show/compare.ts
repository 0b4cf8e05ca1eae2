/** `compare()`: runs side by side under the cell — table, histories, parallel coordinates, scatter. */
import type { Run } from '../entities';
import { datasetLabels } from '../datasets/dataset-labels';
import { TracklabError } from '../errors';
import { display } from '../notebook/display';
import type { DisplayBundle } from '../views/bundle';
import { currentExperiment } from '../tracking/fluent';
import { compareBundles } from '../views/comparison';
import { requireLoggedMetric } from '../views/run-metrics';
import { selectRuns, type RunSelection } from './select-runs';
import { evaluationComparisonBundles } from '../views/evaluation-comparison';
import { imageGridBundle } from '../views/image-views';
import type { TrackingClient } from '../tracking/client';
import { imageCells, imageIndex } from './run-images';
import { runEvaluations } from './run-evaluations';

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
  /**
   * Compare the runs' evaluations (evaluate()) instead: their metrics table,
   * ROC curves overlaid and confusion matrices side by side. `metric` then
   * picks the best run (default roc_auc, or r2_score for regressors).
   */
  readonly evaluation?: boolean;
  /** Add a grid of runs × steps for each logged image key (default true). */
  readonly images?: boolean;
}

const MAX_GRID_KEYS = 3;
const MAX_GRID_STEPS = 8;
const MAX_GRID_RUNS = 12;

/**
 * Compares runs on one metric right under the cell: a table of the params
 * that differ (and the datasets each run used, when any run logged one)
 * with last/min/max of the metric and the best run marked, the
 * metric histories overlaid (one line per run), parallel coordinates from
 * params to the metric, and a scatter of the most relevant param. Outside a
 * notebook it prints the text forms. Without `experiment` (or `runs`) it
 * compares the runs of the current experiment (see currentExperiment()), and
 * the run just trained is always drawn, even when it is not among the best.
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
  const { client, runs, latestRunId } = await selectRuns(options);
  if (runs.length === 0) {
    const where = options.runs ? '' : options.experiment === undefined ? ` in the current experiment (${currentExperiment(client)}; name one with { experiment })` : '';
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `No runs to compare${where}: check the experiment name and filter, or log a run first.`);
  }
  const grids = options.images === false ? [] : await imageGrids(client, runs);
  if (options.evaluation) {
    return [...await evaluationComparisonBundles(await runEvaluations(client, runs), { metric: options.metric, mode: options.mode }), ...grids];
  }
  if (options.metric !== undefined) requireLoggedMetric(runs, options.metric);
  const metric = options.metric ?? defaultMetric(runs);
  const ids = runs.map((r) => r.info.runId);
  const [histories, inputs] = await Promise.all([client.metricColumns(ids, [metric]), client.listInputs(ids)]);
  const bundles = await compareBundles({
    runs, histories, metric, mode: options.mode, smoothing: options.smoothing, logScale: options.logScale,
    params: options.params, scatterParam: options.scatterParam, datasets: datasetLabels(inputs), latestRunId,
  });
  return [...bundles, ...grids];
}

/** One grid of runs × steps per image key the runs logged (the keys most runs share first). */
async function imageGrids(client: TrackingClient, runs: readonly Run[]): Promise<DisplayBundle[]> {
  const indexes = await Promise.all(runs.slice(0, MAX_GRID_RUNS).map(async (r) => ({ run: r, images: await imageIndex(client, r.info.runId) })));
  const counts = new Map<string, number>();
  for (const { images } of indexes) for (const key of images.keys()) counts.set(key, (counts.get(key) ?? 0) + 1);
  const keys = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_GRID_KEYS).map(([k]) => k);
  const grids: DisplayBundle[] = [];
  for (const key of keys) {
    const rows = [];
    for (const { run, images } of indexes) {
      const entries = images.get(key);
      if (entries) rows.push({ name: run.info.runName || run.info.runId, cells: await imageCells(client, run.info.runId, entries, MAX_GRID_STEPS) });
    }
    grids.push(imageGridBundle(key, rows));
  }
  return grids;
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
