/** `show(run)` and `runsTable()`: one run's card and charts, or a table of runs. */
import { display } from '../notebook/display';
import type { DisplayBundle } from '../views/bundle';
import { runBundle } from '../views/run-view';
import { runsTableBundle } from '../views/runs-table';
import { runIdOf, selectRuns, type RunRef, type RunSelection } from './select-runs';
import { getClient } from '../config';
import { datasetLabels } from '../datasets/dataset-labels';
import type { TrackingClient } from '../tracking/client';

/**
 * Shows one run under the cell: status, note (tag `tracklab.note`), params,
 * latest metrics, datasets, provenance, a chart per metric, and the notebook
 * cells recorded on it.
 *
 * @example
 * const run = tracklab.startRun(); ...; await run.end();
 * await tracklab.show(run);
 */
export async function show(run: RunRef, options: { client?: TrackingClient } = {}): Promise<void> {
  for (const bundle of await runView(run, options)) display(bundle);
}

/** The bundles `show()` displays. */
export async function runView(run: RunRef, options: { client?: TrackingClient } = {}): Promise<DisplayBundle[]> {
  const client = options.client ?? getClient();
  await client.flush();
  const runId = runIdOf(run);
  const [full, histories, cells, inputs] = await Promise.all([
    client.getRun(runId), client.store.readMetrics([runId]), client.listCells(runId), client.listInputs(runId),
  ]);
  return runBundle(full, histories, { cells, inputs });
}

/**
 * A table of runs (newest first) with their params, the datasets they used
 * (when any run logged one) and last metric values.
 *
 * @example
 * await tracklab.runsTable({ experiment: 'quickstart', filter: 'metrics.acc > 0.8' });
 */
export async function runsTable(options: RunSelection & { metric?: string; mode?: 'min' | 'max' } = {}): Promise<void> {
  display(await runsTableView(options));
}

/** The bundle `runsTable()` displays. */
export async function runsTableView(options: RunSelection & { metric?: string; mode?: 'min' | 'max' } = {}): Promise<DisplayBundle> {
  const { client, runs } = await selectRuns(options);
  const inputs = runs.length ? await client.listInputs(runs.map((r) => r.info.runId)) : [];
  return runsTableBundle(runs, { metric: options.metric, mode: options.mode, datasets: datasetLabels(inputs) });
}
