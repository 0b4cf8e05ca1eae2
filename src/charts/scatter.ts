import { dimensionScale, isNumericColumn, logDecades, toNumber } from './dimension-scale';
import { baseConfig, CHART_HEIGHT } from './palette';
import { runLabels, roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';
import type { RunPoint } from './parallel-coordinates';

/**
 * One param against the metric, one point per run, run name in the tooltip.
 * A numeric param gets a quantitative axis (log when it spans more than two
 * decades, as learning rates do); any other param a categorical one. The
 * best runs, when given (every run tied for best), are drawn larger and in a
 * contrasting colour.
 *
 * @example
 * const spec = scatterSpec('lr', 'val_loss', points, { bestRunIds: [bestId] });
 */
export function scatterSpec(
  param: string,
  metric: string,
  runs: readonly RunPoint[],
  options: { bestRunIds?: readonly string[]; title?: string; width?: number; height?: number } = {},
): VegaLiteSpec {
  const best = new Set(options.bestRunIds);
  const drawn = runs.filter((r) => Number.isFinite(r.value) && r.params[param] !== undefined);
  const labels = runLabels(drawn);
  const raw = drawn.map((r) => r.params[param]);
  const numeric = isNumericColumn(raw);
  const rows = drawn.map((r) => ({
    run: labels.get(r.runId) ?? r.runId,
    x: numeric ? roundSig(toNumber(r.params[param])) : String(r.params[param]),
    y: roundSig(r.value),
    best: best.has(r.runId) ? 'best' : 'other',
  }));
  let logX = false;
  let decades: number[] = [];
  if (numeric && rows.length > 0) {
    const xs = rows.map((r) => r.x as number);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    logX = lo > 0 && hi / lo >= 100;
    // One tick and grid line per decade; Vega's default log ticks draw every 2..9 multiple.
    if (logX) decades = logDecades(lo, hi);
  }
  const categories = numeric ? [] : dimensionScale(raw).ticks.map((t) => t.label);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? `${metric} by ${param}` },
    width: options.width ?? 360,
    height: options.height ?? CHART_HEIGHT - 40,
    data: { values: rows },
    mark: { type: 'point', filled: true, tooltip: true },
    encoding: {
      x: numeric
        ? logX
          ? { field: 'x', type: 'quantitative', title: param, scale: { type: 'log', padding: 12 }, axis: { values: decades } }
          : { field: 'x', type: 'quantitative', title: param, scale: { zero: false, padding: 12 } }
        : { field: 'x', type: 'nominal', title: param, scale: { domain: categories }, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'quantitative', title: metric, scale: { zero: false, padding: 12 } },
      color: { field: 'best', type: 'nominal', scale: { domain: ['best', 'other'], range: ['#e45756', '#4c78a8'] }, legend: null },
      size: { field: 'best', type: 'ordinal', scale: { domain: ['best', 'other'], range: [120, 50] }, legend: null },
      tooltip: [
        { field: 'run', type: 'nominal', title: 'run' },
        { field: 'x', type: numeric ? 'quantitative' : 'nominal', title: param },
        { field: 'y', type: 'quantitative', title: metric, format: '.4~g' },
      ],
    },
    config: baseConfig,
  };
}
