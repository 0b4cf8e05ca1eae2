import { TracklabError } from '../errors';
import { DEFAULT_MAX_POINTS } from './downsample';
import { baseConfig, CHART_HEIGHT, CHART_WIDTH, runScheme } from './palette';
import { SERIES_CSV_PARSE, seriesCsv } from './series-data';
import { VEGA_LITE_SCHEMA, flatDomainFormat, mergeSeries, runLabels, type NamedSeries, type VegaLiteSpec } from './series';

export interface LineChartOptions {
  /** Chart title; defaults to the metric key. */
  readonly title?: string;
  /** EMA weight in [0, 1); above 0 draws the smoothed line with the raw one faded behind. */
  readonly smoothing?: number;
  readonly logScale?: boolean;
  /** Points kept per series after downsampling (extremes always kept). Default 1000. */
  readonly maxPointsPerSeries?: number;
  /**
   * Bound on points over all series, so a chart bundle stays under 300 KB
   * whatever the run count. Default 5000, or 3500 with smoothing (two lines).
   */
  readonly maxTotalPoints?: number;
  /** Runs drawn at most; the rest are named in the subtitle. Default 20. */
  readonly maxRuns?: number;
  /** Extra subtitle text, e.g. which runs were chosen when there are many. */
  readonly note?: string;
  readonly width?: number;
  readonly height?: number;
  /** What the series' steps hold: steps (the default), or seconds since the run started. */
  readonly x?: 'step' | 'time';
}

export const DEFAULT_MAX_RUNS = 20;

/**
 * Metric histories of one key overlaid, one line per run, legend by run name
 * in the order given (which fixes each run's colour). Inline data only;
 * user strings (run names, the key) appear only as data values and titles.
 *
 * @example
 * const spec = lineChartSpec('loss', [{ runId, runName: 'brave-otter-042', key: 'loss', steps, values }], { smoothing: 0.6 });
 */
export function lineChartSpec(metric: string, series: readonly NamedSeries[], options: LineChartOptions = {}): VegaLiteSpec {
  const smoothing = options.smoothing ?? 0;
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  if (!Number.isInteger(maxRuns) || maxRuns < 1) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `maxRuns must be a positive integer, got ${String(maxRuns)}.`);
  }
  const names = new Map<string, string>();
  for (const s of series) if (!names.has(s.runId)) names.set(s.runId, s.runName);
  const allRuns = [...names].map(([runId, runName]) => ({ runId, runName }));
  const shownRuns = allRuns.slice(0, maxRuns);
  const shownIds = new Set(shownRuns.map((r) => r.runId));
  const labels = runLabels(shownRuns);
  const order = new Map(shownRuns.map((r, i) => [r.runId, i]));
  const merged = mergeSeries(series.filter((s) => s.key === metric && shownIds.has(s.runId)));
  const perSeries = pointsPerSeries(merged.length, options);
  const { csv, isolated } = seriesCsv(
    merged,
    merged.map((s) => order.get(s.runId) ?? 0),
    { maxPointsPerSeries: perSeries, smoothing, logScale: options.logScale === true },
  );
  const domain = shownRuns.map((r) => labels.get(r.runId) ?? r.runId);
  const runNames = { lookup: 'r', from: { data: { values: domain.map((run, r) => ({ r, run })) }, key: 'r', fields: ['run'] } };
  const hidden = allRuns.length - shownRuns.length;
  const subtitle: string[] = [];
  if (smoothing > 0) subtitle.push(`EMA smoothing ${smoothing} (raw faded)`);
  if (hidden > 0) subtitle.push(`showing ${shownRuns.length} of ${allRuns.length} runs`);
  if (options.note) subtitle.push(options.note);
  const yTitle = options.logScale ? `${metric} (log)` : metric;
  const yAxis = { axis: flatDomainFormat(merged.map((s) => s.values)) };
  const y = (field: string) => ({
    field,
    type: 'quantitative',
    title: yTitle,
    scale: options.logScale ? { type: 'log' } : { zero: false },
    ...yAxis,
  });
  const byTime = options.x === 'time';
  const xTitle = byTime ? 'seconds since the run started' : 'step';
  const xAxis = {
    // Steps are whole numbers: no tick at 0.5 between two of them.
    ...(byTime ? {} : { tickMinStep: 1 }),
    ...flatDomainFormat(merged.map((s) => s.steps)),
  };
  const tooltip = [
    { field: 'run', type: 'nominal', title: 'run' },
    { field: 's', type: 'quantitative', title: xTitle },
    { field: smoothing > 0 ? 'e' : 'v', type: 'quantitative', title: metric, format: '.4~g' },
  ];
  const layer: unknown[] = [];
  if (smoothing > 0) {
    layer.push({ mark: { type: 'line', strokeWidth: 1, opacity: 0.25 }, encoding: { y: y('v') } });
  }
  layer.push({
    mark: { type: 'line', strokeWidth: smoothing > 0 ? 2 : 1.5, tooltip: true },
    encoding: { y: y(smoothing > 0 ? 'e' : 'v'), tooltip },
  });
  // A line needs two points: a run that logged the metric once (or a point
  // between two gaps) is drawn as a dot, so every run shows. Only those
  // points are marked; a dot on each of thousands of points would bury the lines.
  if (isolated !== '') {
    layer.push({
      data: { values: isolated, format: { type: 'csv', parse: SERIES_CSV_PARSE } },
      transform: [runNames],
      mark: { type: 'point', filled: true, size: 40, opacity: 1, tooltip: true },
      encoding: { y: y(smoothing > 0 ? 'e' : 'v'), tooltip },
    });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: subtitle.length ? { text: options.title ?? metric, subtitle: subtitle.join(' · ') } : { text: options.title ?? metric },
    width: options.width ?? CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT,
    data: { values: csv, format: { type: 'csv', parse: SERIES_CSV_PARSE } },
    transform: [runNames],
    encoding: {
      x: { field: 's', type: 'quantitative', title: xTitle, scale: { zero: false }, axis: xAxis },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'run',
        scale: { domain, scheme: runScheme(domain.length) },
        legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
      },
      detail: { field: 'g', type: 'nominal' },
    },
    layer,
    config: baseConfig,
  };
}

export function pointsPerSeries(count: number, options: LineChartOptions): number {
  const perSeries = options.maxPointsPerSeries ?? DEFAULT_MAX_POINTS;
  const total = options.maxTotalPoints ?? ((options.smoothing ?? 0) > 0 ? 3500 : 5000);
  if (count === 0) return perSeries;
  return Math.max(20, Math.min(perSeries, Math.floor(total / count)));
}
