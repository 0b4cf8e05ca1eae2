/**
 * A regressor's two plots: residuals (actual - predicted) against the
 * prediction with the zero line, and predicted against actual with the
 * identity line. Large sets are sampled evenly to a bounded point count.
 */
import { baseConfig } from './palette';
import { roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

const MAX_POINTS = 2000;

function sample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}

/** @example const spec = residualsSpec(actual, predicted); */
export function residualsSpec(actual: ArrayLike<number>, predicted: ArrayLike<number>, options: { maxPoints?: number } = {}): VegaLiteSpec {
  const rows = sample(actual.length, options.maxPoints ?? MAX_POINTS).map((i) => ({ predicted: roundSig(predicted[i]), residual: roundSig(actual[i] - predicted[i]) }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Residuals against predicted',
    width: 360,
    height: 280,
    layer: [
      { data: { values: rows }, mark: { type: 'point', filled: true, opacity: 0.6, size: 24, tooltip: true },
        encoding: { x: { field: 'predicted', type: 'quantitative', title: 'Predicted', scale: { zero: false } }, y: { field: 'residual', type: 'quantitative', title: 'Residual (actual - predicted)' } } },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
    config: baseConfig,
  };
}

/** @example const spec = predictedVsActualSpec(actual, predicted); */
export function predictedVsActualSpec(actual: ArrayLike<number>, predicted: ArrayLike<number>, options: { maxPoints?: number } = {}): VegaLiteSpec {
  const idx = sample(actual.length, options.maxPoints ?? MAX_POINTS);
  const rows = idx.map((i) => ({ actual: roundSig(actual[i]), predicted: roundSig(predicted[i]) }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) { lo = Math.min(lo, r.actual, r.predicted); hi = Math.max(hi, r.actual, r.predicted); }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Predicted against actual',
    width: 300,
    height: 300,
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      { data: { values: rows }, mark: { type: 'point', filled: true, opacity: 0.6, size: 24, tooltip: true },
        encoding: { x: { field: 'actual', type: 'quantitative', title: 'Actual', scale: { domain: [lo, hi] } }, y: { field: 'predicted', type: 'quantitative', title: 'Predicted', scale: { domain: [lo, hi] } } } },
    ],
    config: baseConfig,
  };
}
