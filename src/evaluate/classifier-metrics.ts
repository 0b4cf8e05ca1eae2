/**
 * Classification metrics over class indices (0..k-1 into the label list),
 * with scikit-learn's formulas, which MLflow's default evaluator calls:
 * - confusion matrix: rows are true classes, columns predicted classes;
 * - precision tp/(tp+fp), recall tp/(tp+fn), F1 2tp/(2tp+fp+fn), each 0
 *   when its denominator is 0 (sklearn's zero_division default);
 * - macro: the unweighted mean over classes; weighted: weighted by support
 *   (true count); binary: the positive class's own value;
 * - log loss: -mean(sum_k y_k log p_k), probabilities clipped to
 *   [eps, 1-eps] (float64 eps) and each row renormalised, as sklearn does.
 */

export interface ClassCounts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** Rows whose true class is this one. */
  readonly support: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** counts[t][p]: rows of true class t predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]][yPred[i]]++;
  return counts;
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/** One-vs-rest counts and precision/recall/F1 of every class, from a confusion matrix. */
export function perClassCounts(counts: readonly (readonly number[])[]): ClassCounts[] {
  const k = counts.length;
  let n = 0;
  for (const row of counts) for (const c of row) n += c;
  return counts.map((row, c) => {
    const tp = row[c];
    let predicted = 0;
    for (let t = 0; t < k; t++) predicted += counts[t][c];
    const support = row.reduce((a, b) => a + b, 0);
    const fp = predicted - tp;
    const fn = support - tp;
    return {
      truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: n - tp - fp - fn, support,
      precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1: ratio(2 * tp, 2 * tp + fp + fn),
    };
  });
}

export function accuracy(counts: readonly (readonly number[])[]): number {
  let right = 0;
  let n = 0;
  counts.forEach((row, t) => row.forEach((c, p) => { n += c; if (t === p) right += c; }));
  return ratio(right, n);
}

export type Average = 'macro' | 'weighted';

/** The macro or support-weighted mean of a per-class value (sklearn's `average=`). */
export function averageOver(values: readonly number[], supports: readonly number[], average: Average): number {
  if (values.length === 0) return 0;
  if (average === 'macro') return values.reduce((a, b) => a + b, 0) / values.length;
  const total = supports.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let sum = 0;
  values.forEach((v, i) => { sum += v * supports[i]; });
  return sum / total;
}

const EPS = 2.220446049250313e-16;

/**
 * Cross-entropy of class probabilities (rows of k) against true class
 * indices, as sklearn's log_loss with `labels` set.
 */
export function logLoss(yTrue: ArrayLike<number>, probabilities: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const row = probabilities[i];
    let sum = 0;
    for (let c = 0; c < row.length; c++) sum += clip(row[c]);
    total -= Math.log(clip(row[yTrue[i]]) / sum);
  }
  return total / yTrue.length;
}

function clip(p: number): number {
  return Math.min(1 - EPS, Math.max(EPS, p));
}
