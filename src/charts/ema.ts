import { TracklabError } from '../errors';

/**
 * TensorBoard-style debiased exponential moving average. `weight` in [0, 1):
 * 0 leaves the series as is, 0.9 smooths strongly. The debias term keeps the
 * first points from being pulled toward zero. Non-finite values pass through
 * unchanged and do not disturb the running average, so gaps stay gaps.
 *
 * @example
 * const smooth = ema(series.values, 0.6);
 */
export function ema(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(typeof weight === 'number' && weight >= 0 && weight < 1)) {
    throw new TracklabError(
      'INVALID_PARAMETER_VALUE',
      `Smoothing weight must be a number in [0, 1), got ${String(weight)}. Use 0 for none, 0.6 for moderate, 0.9 for strong smoothing.`,
    );
  }
  const out = new Float64Array(values.length);
  let last = 0;
  // weight^count as a running product (Math.pow per point cost more than
  // the rest of the chart). It is snapped to 0 once negligible: left alone,
  // 0.6 * the smallest denormal rounds back to itself, and denormal
  // arithmetic on every later point is about ten times slower.
  let power = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    power = power > 1e-300 ? power * weight : 0;
    out[i] = last / (1 - power);
  }
  return out;
}
