// Metric values against values worked out by hand on small fixtures. Each
// test names the reference formula it follows (scikit-learn's, which MLflow's
// default evaluator calls) and shows the arithmetic in its comments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateClassifier } from './classifier-evaluation';
import { calibrationCurve } from './calibration';
import { averagePrecision, prCurve, rocAuc, rocCurve } from './ranking-metrics';
import { regressorMetrics } from './regressor-metrics';

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

// Binary fixture with a tie between a positive and a negative (0.4).
const yTrueB = [0, 0, 1, 1, 1, 0];
const scoresB = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7];
const posB = yTrueB.map((y) => y === 1);

describe('binary classifier metrics (sklearn formulas, MLflow names)', () => {
  const probabilities = scoresB.map((p) => [1 - p, p]);
  const yPred = scoresB.map((p) => (p >= 0.5 ? 1 : 0)); // [0,0,0,1,0,1]
  const result = evaluateClassifier({ labels: [0, 1], yTrue: yTrueB, yPred, probabilities, positive: 1, average: 'weighted' });
  const m = result.metrics;

  it('confusion matrix (sklearn confusion_matrix: rows true, columns predicted) and its four counts', () => {
    // true 0 -> predicted 0,0,1; true 1 -> predicted 0,1,0
    assert.deepEqual(result.confusion, [[2, 1], [2, 1]]);
    assert.deepEqual([m.true_negatives, m.false_positives, m.false_negatives, m.true_positives], [2, 1, 2, 1]);
    assert.equal(m.example_count, 6);
  });

  it('accuracy_score, and precision/recall/F1 of the positive class (average="binary")', () => {
    close(m.accuracy_score, 3 / 6, 'accuracy');
    close(m.precision_score, 1 / 2, 'precision tp/(tp+fp)');
    close(m.recall_score, 1 / 3, 'recall tp/(tp+fn)');
    close(m.f1_score, (2 * 1) / (2 * 1 + 1 + 2), 'F1 2tp/(2tp+fp+fn)');
  });

  it('macro and weighted forms average the per-class values (class 0: P 2/4, R 2/3, F1 4/7)', () => {
    close(m.precision_score_macro, (1 / 2 + 2 / 4) / 2, 'macro precision');
    close(m.recall_score_macro, (1 / 3 + 2 / 3) / 2, 'macro recall');
    close(m.f1_score_macro, (2 / 5 + 4 / 7) / 2, 'macro F1');
    close(m.f1_score_weighted, (3 * (2 / 5) + 3 * (4 / 7)) / 6, 'weighted F1 (supports 3 and 3)');
  });

  it('roc_auc counts a tied positive/negative pair as half (Mann-Whitney: 5.5 of 9 pairs)', () => {
    // positives .35 .8 .4 against negatives .1 .4 .7: 1 + 3 + (1 + 0.5) = 5.5
    close(m.roc_auc, 5.5 / 9, 'roc_auc');
    close(rocAuc(posB, scoresB), 11 / 18, 'roc_auc as the trapezoid 1/9 + 1/6 + 1/3');
  });

  it('roc_curve points (sklearn roc_curve, drop_intermediate): one per distinct score, the tie a diagonal', () => {
    const curve = rocCurve(posB, scoresB);
    assert.deepEqual(curve.fpr, [0, 0, 1 / 3, 2 / 3, 2 / 3, 1]);
    assert.deepEqual(curve.tpr, [0, 1 / 3, 1 / 3, 2 / 3, 1, 1]);
    assert.deepEqual(curve.thresholds, [Infinity, 0.8, 0.7, 0.4, 0.35, 0.1]);
  });

  it('precision_recall_auc is average precision (sklearn average_precision_score): Σ (R_n - R_n-1) P_n', () => {
    // thresholds .8 (P 1, R 1/3), .7 (P 1/2, R 1/3), .4 (P 2/4, R 2/3), .35 (P 3/5, R 1), .1 (P 3/6, R 1: adds no area)
    close(m.precision_recall_auc, (1 / 3) * 1 + 0 * 0.5 + (1 / 3) * 0.5 + (1 / 3) * 0.6, 'AP');
    close(averagePrecision(posB, scoresB), 0.7, 'AP = 21/30');
    const pr = prCurve(posB, scoresB);
    // sklearn >= 1.1 keeps the thresholds past full recall (1.2.1 gives exactly these points)
    assert.deepEqual(pr.recall, [1, 1, 2 / 3, 1 / 3, 1 / 3, 0]);
    assert.deepEqual(pr.precision, [3 / 6, 3 / 5, 2 / 4, 1 / 2, 1, 1]);
  });

  it('log_loss is -mean ln p(true class) (sklearn log_loss)', () => {
    const expected = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8) + Math.log(0.4) + Math.log(0.3)) / 6;
    close(m.log_loss, expected, 'log_loss');
    assert.ok(Math.abs(m.log_loss - 0.668235888) < 1e-8, String(m.log_loss));
  });

  it('per-class rows as MLflow per_class_metrics (one-vs-rest counts)', () => {
    assert.deepEqual(result.perClass.map((r) => [r.positive_class, r.true_positives, r.false_positives, r.false_negatives, r.true_negatives]), [[0, 2, 2, 1, 1], [1, 1, 1, 2, 2]]);
  });

  it('one class only in the targets (labels given): roc_auc is skipped with the reason, the rest computed', () => {
    const only = evaluateClassifier({ labels: [0, 1], yTrue: [1, 1, 1], yPred: [1, 0, 1], probabilities: [[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]], positive: 1, average: 'weighted' });
    assert.equal(only.metrics.roc_auc, undefined);
    assert.match(only.skipped.roc_auc, /only one class/);
    // every row positive: precision is 1 at every recall, so AP is defined (sklearn gives 1 too)
    assert.equal(only.metrics.precision_recall_auc, 1);
    const noPositive = evaluateClassifier({ labels: [0, 1], yTrue: [0, 0], yPred: [0, 1], probabilities: [[0.9, 0.1], [0.4, 0.6]], positive: 1, average: 'weighted' });
    assert.match(noPositive.skipped.precision_recall_auc, /only one class/, 'no positive row: recall undefined');
    close(only.metrics.recall_score, 2 / 3, 'recall');
    close(only.metrics.accuracy_score, 2 / 3, 'accuracy');
  });

  it('without probabilities: no log_loss, roc_auc or PR AUC, and says why', () => {
    const hard = evaluateClassifier({ labels: [0, 1], yTrue: yTrueB, yPred: [0, 0, 0, 1, 0, 1], probabilities: null, positive: 1, average: 'weighted' });
    assert.equal(hard.metrics.log_loss, undefined);
    assert.match(hard.skipped.roc_auc, /no class probabilities/);
    assert.deepEqual(hard.roc, []);
  });
});

describe('multiclass classifier metrics (one-vs-rest, weighted by default as MLflow)', () => {
  // true a a b b c c c
  const probabilities = [
    [0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6], [0.5, 0.1, 0.4], [0.1, 0.1, 0.8],
  ];
  const yTrue = [0, 0, 1, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 2, 2, 0, 2];
  const result = evaluateClassifier({ labels: ['a', 'b', 'c'], yTrue, yPred, probabilities, positive: 1, average: 'weighted' });
  const m = result.metrics;

  it('confusion matrix, accuracy, and precision weighted by support (2, 2, 3) vs macro', () => {
    assert.deepEqual(result.confusion, [[1, 1, 0], [0, 1, 1], [1, 0, 2]]);
    close(m.accuracy_score, 4 / 7, 'accuracy');
    // per class P: a 1/2, b 1/2, c 2/3 (recall and F1 the same here)
    close(m.precision_score, (2 * 0.5 + 2 * 0.5 + 3 * (2 / 3)) / 7, 'weighted precision');
    close(m.precision_score_macro, (0.5 + 0.5 + 2 / 3) / 3, 'macro precision');
    close(m.f1_score, 4 / 7, 'weighted F1');
    assert.equal(m.true_positives, undefined, 'the four counts are binary-only, as in MLflow');
  });

  it('roc_auc one-vs-rest (sklearn roc_auc_score multi_class="ovr"): a 9/10, b 9/10, c 10.5/12 (a tie at .6)', () => {
    assert.deepEqual(result.perClass.map((r) => r.roc_auc), [0.9, 0.9, 0.875]);
    close(m.roc_auc, (2 * 0.9 + 2 * 0.9 + 3 * 0.875) / 7, 'weighted OvR AUC');
    const macro = evaluateClassifier({ labels: ['a', 'b', 'c'], yTrue, yPred, probabilities, positive: 1, average: 'macro' });
    close(macro.metrics.roc_auc, (0.9 + 0.9 + 0.875) / 3, 'macro OvR AUC');
    close(macro.metrics.precision_score, (0.5 + 0.5 + 2 / 3) / 3, 'average: macro moves the MLflow-named metric too');
  });

  it('precision_recall_auc: per-class average precision a 5/6, b 5/6, c 29/36, weighted', () => {
    const ap = result.perClass.map((r) => r.precision_recall_auc ?? NaN);
    close(ap[0], 0.5 * 1 + 0.5 * (2 / 3), 'AP a');
    close(ap[1], 5 / 6, 'AP b');
    close(ap[2], (1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 4), 'AP c (tie at .6 counted together)');
    close(m.precision_recall_auc, (2 * (5 / 6) + 2 * (5 / 6) + 3 * (29 / 36)) / 7, 'weighted AP');
  });

  it('log_loss over three classes', () => {
    const p = [0.7, 0.3, 0.5, 0.3, 0.6, 0.4, 0.8];
    close(m.log_loss, -p.reduce((s, v) => s + Math.log(v), 0) / 7, 'log_loss');
  });

  it('a class with no target rows: its AUC is undefined, so roc_auc is skipped naming it', () => {
    const r = evaluateClassifier({ labels: ['a', 'b', 'c'], yTrue: [0, 0, 1, 1], yPred: [0, 1, 1, 2], probabilities: probabilities.slice(0, 4), positive: 1, average: 'weighted' });
    assert.equal(r.metrics.roc_auc, undefined);
    assert.match(r.skipped.roc_auc, /class\(es\) c/);
  });
});

describe('calibration curve (sklearn calibration_curve, strategy="uniform", 10 bins)', () => {
  it('bins by i/10 edges, a score on an inner edge in the lower bin; empty bins left out', () => {
    const bins = calibrationCurve(posB, scoresB);
    // bin 0: .1 (neg); bin 3: .4 .35 .4 (2 pos); bin 6: .7 (neg); bin 7: .8 (pos)
    assert.deepEqual(bins.map((b) => b.count), [1, 3, 1, 1]);
    close(bins[1].meanPredicted, (0.4 + 0.35 + 0.4) / 3, 'mean predicted in bin 3');
    close(bins[1].fractionPositive, 2 / 3, 'fraction positive in bin 3');
    assert.deepEqual([bins[0].fractionPositive, bins[2].fractionPositive, bins[3].fractionPositive], [0, 0, 1]);
  });

  it('0.3 lands in bin 2 because numpy computes the edge as 3 * 0.1 = 0.30000000000000004', () => {
    const [bin] = calibrationCurve([true], [0.3], 10);
    assert.equal(bin.count, 1);
    const twoBins = calibrationCurve([true, false], [0.3, 0.31], 10);
    assert.equal(twoBins.length, 2, 'and 0.31 in bin 3');
  });
});

describe('regressor metrics (sklearn formulas, MLflow names)', () => {
  it('the sklearn documentation example: y [3, -0.5, 2, 7], ŷ [2.5, 0, 2, 8]', () => {
    const m = regressorMetrics([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);
    close(m.mean_absolute_error, (0.5 + 0.5 + 0 + 1) / 4, 'MAE');
    close(m.mean_squared_error, (0.25 + 0.25 + 0 + 1) / 4, 'MSE');
    close(m.root_mean_squared_error, Math.sqrt(0.375), 'RMSE');
    // mean 2.875; SS_tot = .125² + 3.375² + .875² + 4.125² = 29.1875; SS_res = 1.5
    close(m.r2_score, 1 - 1.5 / 29.1875, 'R²');
    close(m.max_error, 1, 'max error');
    close(m.mean_absolute_percentage_error, (0.5 / 3 + 0.5 / 0.5 + 0 + 1 / 7) / 4, 'MAPE (a fraction)');
    close(m.sum_on_target, 11.5, 'sum_on_target');
    close(m.mean_on_target, 2.875, 'mean_on_target');
    assert.equal(m.example_count, 4);
  });

  it('constant targets: R² is 1 for a perfect fit and 0 otherwise (sklearn force_finite); MAPE divides by eps at y = 0', () => {
    assert.equal(regressorMetrics([2, 2], [2, 2]).r2_score, 1);
    assert.equal(regressorMetrics([2, 2], [1, 2]).r2_score, 0);
    close(regressorMetrics([0], [1]).mean_absolute_percentage_error, 1 / 2.220446049250313e-16, 'MAPE at y = 0');
  });
});
