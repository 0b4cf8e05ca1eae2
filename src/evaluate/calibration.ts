/**
 * Calibration (reliability) curve of a binary score, as sklearn's
 * calibration_curve with strategy="uniform", which MLflow's evaluator plots:
 * bin edges i/n for i = 0..n; a score on an inner edge falls in the lower
 * bin (numpy searchsorted, side "left"); empty bins are left out.
 */

export interface CalibrationBin {
  /** Mean predicted probability of the bin's rows. */
  readonly meanPredicted: number;
  /** Fraction of the bin's rows that are positive. */
  readonly fractionPositive: number;
  readonly count: number;
}

export function calibrationCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const step = 1 / bins;
  const sums = new Array<number>(bins).fill(0);
  const trues = new Array<number>(bins).fill(0);
  const totals = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    // first inner edge >= s (edges are k * step, as numpy's linspace computes them)
    let b = 0;
    while (b < bins - 1 && (b + 1) * step < s) b++;
    sums[b] += s;
    totals[b]++;
    if (positive[i]) trues[b]++;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (totals[b] > 0) out.push({ meanPredicted: sums[b] / totals[b], fractionPositive: trues[b] / totals[b], count: totals[b] });
  }
  return out;
}
