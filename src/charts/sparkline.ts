import { downsampleIndices } from './downsample';
import { roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

/**
 * A tiny axis-less line of one metric (120×24 by default), for dense cards.
 * The run card itself inlines `sparklineSvg` instead, because it must update
 * synchronously several times a second; this spec is for frontends that
 * render Vega (and for `show(run)` callers that want one).
 *
 * @example
 * const spec = sparklineSpec(steps, values);
 */
export function sparklineSpec(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  options: { width?: number; height?: number; maxPoints?: number } = {},
): VegaLiteSpec {
  const width = options.width ?? 120;
  const idx = downsampleIndices(values, options.maxPoints ?? Math.max(8, width * 2));
  const rows: { s: number; v: number | null }[] = [];
  for (let j = 0; j < idx.length; j++) {
    const v = values[idx[j]];
    // JSON has no NaN; null points are dropped by Vega-Lite's invalid filter.
    rows.push({ s: steps[idx[j]], v: Number.isFinite(v) ? roundSig(v, 5) : null });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    width,
    height: options.height ?? 24,
    padding: 2,
    background: 'transparent',
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5, color: '#4c78a8', clip: true },
    encoding: {
      x: { field: 's', type: 'quantitative', axis: null, scale: { zero: false } },
      y: { field: 'v', type: 'quantitative', axis: null, scale: { zero: false } },
    },
    config: { view: { stroke: null } },
  };
}
