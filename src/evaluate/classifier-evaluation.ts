/**
 * A classifier's evaluation from class indices (and probabilities when the
 * model gives them), named as MLflow's default evaluator names its metrics
 * (mlflow/models/evaluation/evaluators/classifier.py):
 * - binary: true_negatives, false_positives, false_negatives,
 *   true_positives, example_count, accuracy_score, and precision_score,
 *   recall_score, f1_score of the positive class; with probabilities
 *   log_loss, roc_auc and precision_recall_auc (average precision);
 * - multiclass: precision_score, recall_score and f1_score averaged
 *   (weighted by default, as MLflow), log_loss, roc_auc one-vs-rest with
 *   the same averaging, and (beyond MLflow, which keeps it per class only)
 *   precision_recall_auc averaged the same way.
 * Both also get the macro and weighted forms under `<name>_macro` and
 * `<name>_weighted`, and per-class rows as MLflow's per_class_metrics.
 */
import { accuracy, averageOver, confusionMatrix, logLoss, perClassCounts, type Average } from './classifier-metrics';
import { calibrationCurve, type CalibrationBin } from './calibration';
import { averagePrecision, prCurve, rocAuc, rocCurve } from './ranking-metrics';

export type Label = string | number | boolean;

export interface ClassifierInput {
  readonly labels: readonly Label[];
  readonly yTrue: ArrayLike<number>;
  readonly yPred: ArrayLike<number>;
  /** One row of k class probabilities per example, in label order; null when the model gives none. */
  readonly probabilities: readonly ArrayLike<number>[] | null;
  /** Index of the positive class (binary only). */
  readonly positive: number;
  readonly average: Average;
  readonly calibrationBins?: number;
}

export interface PerClassRow {
  readonly positive_class: Label;
  readonly true_negatives: number;
  readonly false_positives: number;
  readonly false_negatives: number;
  readonly true_positives: number;
  readonly example_count: number;
  readonly accuracy_score: number;
  readonly recall_score: number;
  readonly precision_score: number;
  readonly f1_score: number;
  readonly roc_auc?: number;
  readonly precision_recall_auc?: number;
}

export interface CurveSeries {
  /** The class the curve is one-vs-rest for. */
  readonly label: Label;
  readonly x: number[];
  readonly y: number[];
  /** Its area (ROC AUC or average precision); NaN when undefined. */
  readonly area: number;
}

export interface ClassifierEvaluation {
  readonly metrics: Record<string, number>;
  readonly perClass: PerClassRow[];
  readonly confusion: number[][];
  /** Binary: the positive class's curve; multiclass: one per class. Empty without probabilities. */
  readonly roc: CurveSeries[];
  readonly pr: CurveSeries[];
  readonly calibration: { readonly label: Label; readonly bins: CalibrationBin[] }[];
  /** Metrics left out, with why (one class only in the targets, no probabilities). */
  readonly skipped: Record<string, string>;
}

export function evaluateClassifier(input: ClassifierInput): ClassifierEvaluation {
  const { labels, yTrue, yPred, probabilities, positive, average } = input;
  const k = labels.length;
  const n = yTrue.length;
  const binary = k === 2;
  const confusion = confusionMatrix(yTrue, yPred, k);
  const counts = perClassCounts(confusion);
  const supports = counts.map((c) => c.support);
  const acc = accuracy(confusion);
  const skipped: Record<string, string> = {};
  const metrics: Record<string, number> = {};

  if (binary) {
    const pos = counts[positive];
    Object.assign(metrics, {
      true_negatives: pos.trueNegatives, false_positives: pos.falsePositives,
      false_negatives: pos.falseNegatives, true_positives: pos.truePositives,
    });
  }
  metrics.example_count = n;
  metrics.accuracy_score = acc;
  for (const [name, pick] of [['recall_score', 'recall'], ['precision_score', 'precision'], ['f1_score', 'f1']] as const) {
    const values = counts.map((c) => c[pick]);
    metrics[name] = binary ? counts[positive][pick] : averageOver(values, supports, average);
    metrics[`${name}_macro`] = averageOver(values, supports, 'macro');
    metrics[`${name}_weighted`] = averageOver(values, supports, 'weighted');
  }

  const roc: CurveSeries[] = [];
  const pr: CurveSeries[] = [];
  const calibration: { label: Label; bins: CalibrationBin[] }[] = [];
  const classAuc: number[] = new Array<number>(k).fill(NaN);
  const classAp: number[] = new Array<number>(k).fill(NaN);
  if (probabilities === null) {
    skipped.log_loss = skipped.roc_auc = skipped.precision_recall_auc = 'the model gave no class probabilities';
  } else {
    metrics.log_loss = logLoss(yTrue, probabilities);
    const classes = binary ? [positive] : labels.map((_, c) => c);
    for (const c of classes) {
      const isPos = Array.from({ length: n }, (_, i) => yTrue[i] === c);
      const scores = probabilities.map((row) => row[c]);
      classAuc[c] = rocAuc(isPos, scores);
      classAp[c] = averagePrecision(isPos, scores);
      const r = rocCurve(isPos, scores);
      const p = prCurve(isPos, scores);
      roc.push({ label: labels[c], x: r.fpr, y: r.tpr, area: classAuc[c] });
      pr.push({ label: labels[c], x: p.recall, y: p.precision, area: classAp[c] });
      calibration.push({ label: labels[c], bins: calibrationCurve(isPos, scores, input.calibrationBins) });
    }
    const areas = [['roc_auc', classAuc], ['precision_recall_auc', classAp]] as const;
    for (const [name, values] of areas) {
      const used = classes.map((c) => values[c]);
      const undefinedFor = classes.filter((c) => Number.isNaN(values[c])).map((c) => String(labels[c]));
      if (undefinedFor.length > 0) {
        skipped[name] = binary
          ? 'the targets hold only one class, so the area is undefined'
          : `undefined for class(es) ${undefinedFor.join(', ')}: the targets hold no row of them (or only them)`;
      } else {
        metrics[name] = binary ? used[0] : averageOver(used, supports, average);
      }
    }
  }

  const perClass: PerClassRow[] = counts.map((c, i) => ({
    positive_class: labels[i],
    true_negatives: c.trueNegatives, false_positives: c.falsePositives, false_negatives: c.falseNegatives, true_positives: c.truePositives,
    example_count: n,
    accuracy_score: (c.truePositives + c.trueNegatives) / n,
    recall_score: c.recall, precision_score: c.precision, f1_score: c.f1,
    ...(probabilities !== null && !binary ? { roc_auc: classAuc[i], precision_recall_auc: classAp[i] } : {}),
  }));
  return { metrics, perClass, confusion, roc, pr, calibration, skipped };
}
