import { pointsPerSeries } from './line-chart';
import { baseConfig } from './palette';
import { SERIES_CSV_PARSE, seriesCsv } from './series-data';
import { VEGA_LITE_SCHEMA, mergeSeries, type MetricSeries, type VegaLiteSpec } from './series';

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
  const { csv } = seriesCsv(
    shown,
    shown.map((s) => keys.indexOf(s.key)),
    { maxPointsPerSeries: pointsPerSeries(shown.length, options), smoothing: 0, logScale: false },
  );
  const hidden = new Set(merged.map((s) => s.key)).size - keys.length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: hidden > 0 ? { text: options.title ?? runName, subtitle: `showing ${keys.length} of ${keys.length + hidden} metrics` } : { text: options.title ?? runName },
    data: { values: csv, format: { type: 'csv', parse: SERIES_CSV_PARSE } },
    // The metric key reaches the chart as a data value (the panel header),
    // never as a field name, so dots and brackets in keys mean nothing.
    transform: [{ lookup: 'r', from: { data: { values: keys.map((metric, r) => ({ r, metric })) }, key: 'r', fields: ['metric'] } }],
    facet: { field: 'metric', type: 'nominal', title: null, sort: keys, header: { labelFontSize: 12, labelFontWeight: 'bold', labelColor: '#222' } },
    columns: options.columns ?? 3,
    spec: {
      width: 200,
      height: 110,
      mark: { type: 'line', strokeWidth: 1.5, color: '#4c78a8', tooltip: true },
      encoding: {
        x: { field: 's', type: 'quantitative', title: 'step', scale: { zero: false } },
        y: { field: 'v', type: 'quantitative', title: null, scale: { zero: false } },
        detail: { field: 'g', type: 'nominal' },
        tooltip: [
          { field: 'metric', type: 'nominal', title: 'metric' },
          { field: 's', type: 'quantitative', title: 'step' },
          { field: 'v', type: 'quantitative', title: 'value', format: '.4~g' },
        ],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: baseConfig,
  };
}
