/**
 * Regression metrics with scikit-learn's formulas, under the names MLflow's
 * default evaluator logs (mlflow/models/evaluation/evaluators/regressor.py):
 * - mean_absolute_error mean|y - ŷ|, mean_squared_error mean (y - ŷ)²,
 *   root_mean_squared_error its square root, max_error max|y - ŷ|;
 * - r2_score 1 - SS_res/SS_tot; with constant targets (SS_tot = 0) it is 1
 *   for a perfect fit and 0 otherwise (sklearn's force_finite);
 * - mean_absolute_percentage_error mean(|y - ŷ| / max(|y|, eps)), eps the
 *   float64 epsilon: a fraction, not a percentage, and huge when y is 0;
 * - sum_on_target, mean_on_target, example_count.
 */

const EPS = 2.220446049250313e-16;

export interface RegressorMetrics {
  readonly example_count: number;
  readonly mean_absolute_error: number;
  readonly mean_squared_error: number;
  readonly root_mean_squared_error: number;
  readonly sum_on_target: number;
  readonly mean_on_target: number;
  readonly r2_score: number;
  readonly max_error: number;
  readonly mean_absolute_percentage_error: number;
}

export function regressorMetrics(y: ArrayLike<number>, yPred: ArrayLike<number>): RegressorMetrics {
  const n = y.length;
  let abs = 0;
  let sq = 0;
  let max = 0;
  let pct = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - yPred[i];
    abs += Math.abs(e);
    sq += e * e;
    max = Math.max(max, Math.abs(e));
    pct += Math.abs(e) / Math.max(Math.abs(y[i]), EPS);
    sum += y[i];
  }
  const mean = sum / n;
  let tot = 0;
  for (let i = 0; i < n; i++) tot += (y[i] - mean) ** 2;
  const mse = sq / n;
  return {
    example_count: n,
    mean_absolute_error: abs / n,
    mean_squared_error: mse,
    root_mean_squared_error: Math.sqrt(mse),
    sum_on_target: sum,
    mean_on_target: mean,
    r2_score: tot === 0 ? (sq === 0 ? 1 : 0) : 1 - sq / tot,
    max_error: max,
    mean_absolute_percentage_error: pct / n,
  };
}
