import { TracklabError } from '../errors';
import type { Run } from '../entities';
import { lineChartSpec, DEFAULT_MAX_RUNS } from '../charts/line-chart';
import { parallelCoordinatesSpec, type RunPoint } from '../charts/parallel-coordinates';
import { scatterSpec } from '../charts/scatter';
import { runLabels, type MetricSeries } from '../charts/series';
import { formatNumber } from './format';
import type { DisplayBundle } from './bundle';
import { boundedChartBundle, chartBundle } from './chart-bundle';
import { mostRelevantParam } from './param-relevance';
import { bestIndices, differingParams, inferMode, metricValue, type Mode } from './run-metrics';
import { runsTableBundle } from './runs-table';

export interface CompareInput {
  readonly runs: readonly Run[];
  /** Metric histories (any keys; MetricColumns fit). Chunks of one series are joined. */
  readonly histories: readonly MetricSeries[];
  readonly metric: string;
  /** Which direction is best; default: 'min' for loss/error-like keys, else 'max'. */
  readonly mode?: Mode;
  /** EMA weight in [0, 1) for the history chart. */
  readonly smoothing?: number;
  readonly logScale?: boolean;
  readonly maxPointsPerSeries?: number;
  /** Params for the table and parallel coordinates; default: those that differ. */
  readonly params?: readonly string[];
  /** Param of the scatter; default: the one most related to the metric. */
  readonly scatterParam?: string;
  /** Lines drawn at most in the history chart (the best runs). Default 20. */
  readonly maxRuns?: number;
  /** A label per run id of the datasets it used; adds a "datasets" column to the table when any run has one. */
  readonly datasets?: ReadonlyMap<string, string>;
  /** The run just trained: drawn in the history chart even when it is not among the best `maxRuns`. */
  readonly latestRunId?: string;
}

const MAX_PARALLEL_PARAMS = 8;

/**
 * A comparison of runs on one metric: the runs table (differing params,
 * last/min/max, best row marked), the overlaid histories, parallel
 * coordinates from params to the metric and a scatter of one param against
 * it. Each part is its own bundle (charts never carry text/html), and each
 * chart bundle stays under 300 KB whatever the run count or series length.
 *
 * @example
 * const bundles = await compareBundles({ runs, histories, metric: 'val_loss', smoothing: 0.6 });
 */
export async function compareBundles(input: CompareInput): Promise<DisplayBundle[]> {
  const { runs, metric } = input;
  if (typeof metric !== 'string' || metric === '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'compare needs a metric key, e.g. { metric: "val_loss" }.');
  }
  if (input.mode !== undefined && input.mode !== 'min' && input.mode !== 'max') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `mode must be 'min' or 'max', got ${JSON.stringify(input.mode)}.`);
  }
  const mode = input.mode ?? inferMode(metric);
  const params = input.params ?? differingParams(runs);
  const out: DisplayBundle[] = [runsTableBundle(runs, { metric, mode, params: input.params, datasets: input.datasets })];
  const values = runs.map((r) => metricValue(r, metric));
  const labels = runLabels(runs.map((r) => r.info));

  const lines = historyChart(input, mode, values, labels);
  if (lines) out.push(await lines);

  const points: RunPoint[] = runs.map((r, i) => ({ runId: r.info.runId, runName: r.info.runName, params: r.data.params, value: values[i] }));
  const withValue = points.filter((p) => Number.isFinite(p.value));
  const parallelParams = params.slice(0, MAX_PARALLEL_PARAMS);
  if (withValue.length >= 2 && parallelParams.length > 0) {
    out.push(await chartBundle(parallelCoordinatesSpec(metric, parallelParams, points), `parallel coordinates: ${parallelParams.join(', ')} → ${metric} for ${withValue.length} runs`));
  }
  const scatterParam = input.scatterParam ?? mostRelevantParam(params, runs.map((r) => r.data), values);
  if (withValue.length >= 2 && scatterParam !== undefined) {
    const bestRunIds = bestIndices(values, mode).map((i) => runs[i].info.runId);
    out.push(await chartBundle(scatterSpec(scatterParam, metric, points, { bestRunIds }), `scatter: ${metric} by ${scatterParam} for ${withValue.length} runs`));
  }
  return out;
}

function historyChart(input: CompareInput, mode: Mode, values: readonly number[], labels: Map<string, string>): Promise<DisplayBundle> | undefined {
  const { runs, metric } = input;
  const maxRuns = input.maxRuns ?? DEFAULT_MAX_RUNS;
  const withHistory = new Set(input.histories.filter((s) => s.key === metric && s.values.length > 0).map((s) => s.runId));
  const candidates = runs.map((r, i) => ({ run: r, i, v: values[i] })).filter((c) => withHistory.has(c.run.info.runId));
  if (candidates.length === 0) return undefined;
  // With many runs, draw the best ones; keep them in the caller's order so a
  // run keeps its colour from one comparison to the next.
  const ranked = [...candidates].sort((a, b) => rankKey(a.v, mode) - rankKey(b.v, mode));
  const latest = ranked.findIndex((c) => c.run.info.runId === input.latestRunId);
  // The run just trained is what the user looks for: it takes the last place when it is not among the best.
  const keepLatest = latest >= maxRuns;
  const top = ranked.slice(0, keepLatest ? maxRuns - 1 : maxRuns);
  if (keepLatest) top.push(ranked[latest]!);
  const chosen = new Set(top.map((c) => c.i));
  const picked = candidates.filter((c) => chosen.has(c.i));
  const ids = new Set(picked.map((c) => c.run.info.runId));
  const series = input.histories
    .filter((s) => s.key === metric && ids.has(s.runId))
    .map((s) => ({ ...s, runName: labels.get(s.runId) ?? s.runId }));
  // Series come in the caller's run order, which fixes the colours.
  const order = new Map(picked.map((c, k) => [c.run.info.runId, k]));
  series.sort((a, b) => (order.get(a.runId) ?? 0) - (order.get(b.runId) ?? 0));
  const latestName = keepLatest ? labels.get(ranked[latest]!.run.info.runId) ?? '' : '';
  const note = candidates.length <= picked.length ? undefined
    : keepLatest ? `${picked.length - 1} best of ${candidates.length} runs by last ${metric}, and the latest run ${latestName}`
      : `${picked.length} best of ${candidates.length} runs by last ${metric}`;
  const bestShown = picked.reduce<{ name: string; v: number } | undefined>((acc, c) => {
    if (!Number.isFinite(c.v)) return acc;
    return !acc || (mode === 'min' ? c.v < acc.v : c.v > acc.v) ? { name: labels.get(c.run.info.runId) ?? '', v: c.v } : acc;
  }, undefined);
  const summary =
    `${metric} history for ${picked.length} run(s)` +
    (bestShown ? `; best ${bestShown.name} = ${formatNumber(bestShown.v)} (${mode})` : '') +
    (note ? `; ${note}` : '');
  return boundedChartBundle(
    (scale) =>
      lineChartSpec(metric, series, {
        smoothing: input.smoothing,
        logScale: input.logScale,
        maxPointsPerSeries: input.maxPointsPerSeries,
        maxTotalPoints: Math.round(((input.smoothing ?? 0) > 0 ? 3500 : 5000) * scale),
        maxRuns,
        note,
        title: `${metric} by step`,
      }),
    summary,
  );
}

function rankKey(v: number, mode: Mode): number {
  if (!Number.isFinite(v)) return Infinity;
  return mode === 'min' ? v : -v;
}
