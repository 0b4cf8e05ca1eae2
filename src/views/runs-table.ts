import type { Run } from '../entities';
import type { DisplayBundle } from './bundle';
import { tableBundle } from './chart-bundle';
import { formatDuration, formatTime } from './format';
import { bestIndices, differingParams, metricKeys, metricValue, type Mode } from './run-metrics';
import { statusBadge } from './status-badge';
import type { Cell, Column, Row, Table } from './table';

export interface RunsTableOptions {
  /** Metric shown as last/min/max and used to mark the best run. */
  readonly metric?: string;
  readonly mode?: Mode;
  /** Params to show; default: those whose values differ across the runs. */
  readonly params?: readonly string[];
  /** Other metrics shown by last value. Default: up to 6 keys found on the runs. */
  readonly metrics?: readonly string[];
  /** Rows at most. Default 200. */
  readonly maxRows?: number;
  /**
   * A label per run id of the datasets it used (see `datasetLabels()` in
   * src/datasets). The "datasets" column appears only when some shown run has one.
   */
  readonly datasets?: ReadonlyMap<string, string>;
}

const MAX_PARAM_COLUMNS = 12;

/**
 * The runs table of a comparison (and of `runsTable()`): run name, status,
 * start and duration, the params that differ, and metrics. With a `metric`,
 * it shows last/min/max of it and marks the best run by `mode` (every run tied for best).
 */
export function runsTable(runs: readonly Run[], options: RunsTableOptions = {}): Table {
  const maxRows = options.maxRows ?? 200;
  const shown = runs.slice(0, maxRows);
  const params = (options.params ?? differingParams(runs)).slice(0, MAX_PARAM_COLUMNS);
  const metric = options.metric;
  const others = (options.metrics ?? metricKeys(runs).filter((k) => k !== metric).slice(0, 6)).filter((k) => k !== metric);
  const mode = options.mode ?? 'max';
  // Runs tied for best are all marked, as `tracklab compare` marks them.
  const best = new Set(metric ? bestIndices(shown.map((r) => metricValue(r, metric)), mode) : []);
  const datasets = options.datasets;
  const withDatasets = datasets !== undefined && shown.some((r) => Boolean(datasets.get(r.info.runId)));

  const columns: Column[] = [
    { title: 'run' },
    { title: 'status' },
    { title: 'started' },
    { title: 'duration', align: 'right' },
    ...params.map((p) => ({ title: p, align: 'left' as const })),
    ...(withDatasets ? [{ title: 'datasets', align: 'left' as const }] : []),
    ...(metric ? [{ title: `${metric} (last)` }, { title: 'min' }, { title: 'max' }] : []),
    ...others.map((k) => ({ title: k })),
  ];
  const rows: Row[] = shown.map((run, i) => {
    const summary = metric ? run.data.metrics[metric] : undefined;
    const cells: Cell[] = [
      run.info.runName || run.info.runId,
      statusBadge(run.info.status),
      formatTime(run.info.startTime),
      run.info.endTime !== null ? formatDuration(run.info.endTime - run.info.startTime) : '',
      ...params.map((p) => run.data.params[p] ?? null),
      ...(withDatasets ? [datasets?.get(run.info.runId) || null] : []),
      ...(metric ? [summary?.last ?? null, summary?.min ?? null, summary?.max ?? null] : []),
      ...others.map((k) => run.data.metrics[k]?.last ?? null),
    ];
    return { cells, highlight: best.has(i) };
  });
  const notes: string[] = [];
  if (runs.length > shown.length) notes.push(`showing ${shown.length} of ${runs.length} runs`);
  const allKeys = new Set(runs.flatMap((r) => Object.keys(r.data.params))).size;
  if (options.params === undefined && runs.length > 1 && allKeys > differingParams(runs).length) notes.push('params equal across all runs are hidden');
  if (params.length < (options.params ?? differingParams(runs)).length) notes.push(`first ${params.length} params shown`);
  return {
    caption: metric ? `${runs.length} run(s) · best ${metric} = ${mode === 'min' ? 'lowest' : 'highest'} last value` : `${runs.length} run(s)`,
    columns,
    rows,
    note: notes.length ? notes.join(' · ') : undefined,
  };
}

/**
 * A runs table as a display bundle (escaped HTML + aligned text).
 *
 * @example
 * display(runsTableBundle(await client.searchRuns({ experiments: [id] })));
 */
export function runsTableBundle(runs: readonly Run[], options: RunsTableOptions = {}): DisplayBundle {
  return tableBundle(runsTable(runs, options));
}
