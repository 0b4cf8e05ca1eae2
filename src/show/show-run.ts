/** `show(run)` and `runsTable()`: one run's card and charts, or a table of runs. */
import { display } from '../notebook/display';
import type { DisplayBundle } from '../views/bundle';
import { runBundle } from '../views/run-view';
import { runsTableBundle } from '../views/runs-table';
import { runIdOf, selectRuns, type RunRef, type RunSelection } from './select-runs';
import { getClient } from '../config';
import type { TrackingClient } from '../tracking/client';

/**
 * Shows one run under the cell: status, params, latest metrics, a chart per
 * metric, and the notebook cells recorded on it.
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
  const [full, histories, cells] = await Promise.all([
    client.getRun(runId), client.store.readMetrics([runId]), client.store.listCells(runId),
  ]);
  return runBundle(full, histories, { cells });
}

/**
 * A table of runs (newest first) with their params and last metric values.
 *
 * @example
 * await tracklab.runsTable({ experiment: 'quickstart', filter: 'metrics.acc > 0.8' });
 */
export async function runsTable(options: RunSelection & { metric?: string; mode?: 'min' | 'max' } = {}): Promise<void> {
  const { runs } = await selectRuns(options);
  display(runsTableBundle(runs, { metric: options.metric, mode: options.mode }));
}
