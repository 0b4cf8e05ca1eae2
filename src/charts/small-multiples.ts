import { pointsPerSeries } from './line-chart';
import { baseConfig } from './palette';
import { SERIES_CSV_PARSE, seriesCsv } from './series-data';
import { VEGA_LITE_SCHEMA, flatDomainFormat, mergeSeries, type MetricSeries, type VegaLiteSpec } from './series';

export interface SmallMultiplesOptions {
  readonly title?: string;
  readonly maxPointsPerSeries?: number;
  readonly maxTotalPoints?: number;
  /** Panels per row. Default 3. */
  readonly columns?: number;
  /** Metrics drawn at most, in the order given. Default 24. */
  readonly maxMetrics?: number;
}

/**
 * One small line chart per metric of a single run, each with its own y axis:
 * the run card and `show(run)` view, where metrics of different scales
 * (loss, accuracy, learning rate) would squash each other on one axis.
 *
 * @example
 * const spec = smallMultiplesSpec('brave-otter-042', [loss, accuracy]);
 */
export function smallMultiplesSpec(runName: string, series: readonly MetricSeries[], options: SmallMultiplesOptions = {}): VegaLiteSpec {
  const merged = mergeSeries(series);
  const keys = [...new Set(merged.map((s) => s.key))].slice(0, options.maxMetrics ?? 24);
  const shown = merged.filter((s) => keys.includes(s.key));
  const perSeries = pointsPerSeries(shown.length, options);
  const hidden = new Set(merged.map((s) => s.key)).size - keys.length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: hidden > 0 ? { text: options.title ?? runName, subtitle: `showing ${keys.length} of ${keys.length + hidden} metrics` } : { text: options.title ?? runName },
    // One chart per metric with its own data, rather than a facet: a facet
    // does not split a layer's own data, and the lone-point layer needs it.
    concat: keys.map((key) => panel(key, shown.filter((s) => s.key === key), perSeries)),
    columns: options.columns ?? 3,
    config: baseConfig,
  };
}

function panel(key: string, series: readonly MetricSeries[], maxPointsPerSeries: number): Record<string, unknown> {
  const { csv, isolated } = seriesCsv(series, series.map(() => 0), { maxPointsPerSeries, smoothing: 0, logScale: false });
  // The metric key reaches the chart as a title and a data value, never as
  // a field name, so dots and brackets in keys mean nothing.
  const metric = { lookup: 'r', from: { data: { values: [{ r: 0, metric: key }] }, key: 'r', fields: ['metric'] } };
  const layer: unknown[] = [{ mark: { type: 'line', strokeWidth: 1.5, color: COLOR, tooltip: true } }];
  // A line needs two points: a metric logged once (or a point between two gaps) is a dot.
  if (isolated !== '') {
    layer.push({
      data: { values: isolated, format: { type: 'csv', parse: SERIES_CSV_PARSE } },
      transform: [metric],
      mark: { type: 'point', filled: true, size: 40, opacity: 1, color: COLOR, tooltip: true },
    });
  }
  return {
    title: { text: key, fontSize: 12, fontWeight: 'bold', color: '#222', anchor: 'middle' },
    width: 200,
    height: 110,
    data: { values: csv, format: { type: 'csv', parse: SERIES_CSV_PARSE } },
    transform: [metric],
    encoding: {
      x: { field: 's', type: 'quantitative', title: 'step', scale: { zero: false }, axis: { tickMinStep: 1, ...flatDomainFormat(series.map((s) => s.steps)) } },
      y: { field: 'v', type: 'quantitative', title: null, scale: { zero: false }, axis: flatDomainFormat(series.map((s) => s.values)) },
      detail: { field: 'g', type: 'nominal' },
      tooltip: [
        { field: 'metric', type: 'nominal', title: 'metric' },
        { field: 's', type: 'quantitative', title: 'step' },
        { field: 'v', type: 'quantitative', title: 'value', format: '.4~g' },
      ],
    },
    layer,
  };
}

const COLOR = '#4c78a8';
