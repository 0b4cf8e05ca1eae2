/**
 * Curves and areas of a binary score, with scikit-learn's formulas (MLflow's
 * default evaluator calls sklearn's roc_curve, roc_auc_score,
 * precision_recall_curve and average_precision_score):
 * - thresholds are the distinct scores, highest first; tied scores move
 *   together, so a tie between a positive and a negative is a diagonal step
 *   (half credit in the area);
 * - ROC AUC is the trapezoidal area under (fpr, tpr) from (0, 0);
 * - PR AUC is average precision, sum_n (R_n - R_{n-1}) P_n, not a trapezoid
 *   (sklearn's note: the trapezoid over-estimates it).
 * Undefined cases (no positive or no negative row) return NaN for the
 * caller to report.
 */

export interface BinaryCurve {
  /** Cumulative true and false positives at each distinct threshold, highest score first. */
  readonly tps: number[];
  readonly fps: number[];
  readonly thresholds: number[];
}

/** sklearn's _binary_clf_curve: counts at each distinct score. */
export function binaryClfCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): BinaryCurve {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    if (positive[i]) tp++;
    else fp++;
    const next = order[j + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]);
    }
  }
  return { tps, fps, thresholds };
}

export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  /** Infinity first: the point (0, 0) where nothing is called positive. */
  readonly thresholds: number[];
}

/**
 * sklearn's roc_curve with drop_intermediate=True: points on a straight
 * segment between their neighbours are dropped (the area is unchanged).
 */
export function rocCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): RocCurve {
  const { tps, fps, thresholds } = binaryClfCurve(positive, scores);
  const keep: number[] = [];
  for (let i = 0; i < tps.length; i++) {
    // second differences of fps or tps non-zero: a corner, kept
    const corner = i === 0 || i === tps.length - 1 ||
      fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0;
    if (corner) keep.push(i);
  }
  const p = tps[tps.length - 1] ?? 0;
  const n = fps[fps.length - 1] ?? 0;
  const fpr = [0, ...keep.map((i) => (n === 0 ? NaN : fps[i] / n))];
  const tpr = [0, ...keep.map((i) => (p === 0 ? NaN : tps[i] / p))];
  return { fpr, tpr, thresholds: [Infinity, ...keep.map((i) => thresholds[i])] };
}

/** Trapezoidal area under a curve whose x never decreases. */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** ROC AUC of a binary score; NaN when the rows hold only one class. */
export function rocAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(positive, scores);
  if (fpr.some(Number.isNaN) || tpr.some(Number.isNaN)) return NaN;
  return trapezoid(fpr, tpr);
}

export interface PrCurve {
  /** Recall decreasing to 0, precision ending at 1 (sklearn's order). */
  readonly precision: number[];
  readonly recall: number[];
  readonly thresholds: number[];
}

/**
 * sklearn's precision_recall_curve (drop_intermediate=False), as since
 * scikit-learn 1.1: every distinct threshold, the low ones at full recall
 * included (before 1.1 sklearn cut the curve at the first full recall; the
 * average precision is the same either way). Recall is NaN without positives.
 */
export function prCurve(positive: ArrayLike<boolean>, scores: ArrayLike<number>): PrCurve {
  const { tps, fps, thresholds } = binaryClfCurve(positive, scores);
  const p = tps[tps.length - 1] ?? 0;
  const precision: number[] = [];
  const recall: number[] = [];
  const kept: number[] = [];
  for (let i = tps.length - 1; i >= 0; i--) {
    precision.push(tps[i] / (tps[i] + fps[i]));
    recall.push(p === 0 ? NaN : tps[i] / p);
    kept.push(thresholds[i]);
  }
  return { precision: [...precision, 1], recall: [...recall, 0], thresholds: kept };
}

/** Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n. NaN without positives. */
export function averagePrecision(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const { precision, recall } = prCurve(positive, scores);
  if (recall.some(Number.isNaN)) return NaN;
  let ap = 0;
  for (let i = 0; i < recall.length - 1; i++) ap -= (recall[i + 1] - recall[i]) * precision[i];
  return ap;
}
