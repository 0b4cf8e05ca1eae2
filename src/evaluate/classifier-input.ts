/**
 * Turns targets and a model's raw output into what the classifier metrics
 * take: the label list, class indices and probability rows in label order.
 * - Labels: `labels` as given (its order is the model's probability column
 *   order); else, as MLflow, the sorted distinct targets and predicted
 *   labels; probability rows of k columns with targets 0..k-1 give 0..k-1.
 * - The positive class of a binary problem is `positiveClass`, else the
 *   last label (MLflow's pos_label default).
 * - A model output of one number per row in [0, 1] that is not a label is
 *   the positive class's probability; rows of k numbers are probabilities.
 * - Predicted classes come from the predictions, else from probabilities:
 *   p >= threshold (default 0.5) for binary, the argmax otherwise.
 * NaN or missing values, unknown labels and fewer than two classes are
 * errors that name the row.
 */
import { TracklabError } from '../errors';
import type { Label } from './classifier-evaluation';
import { argmax } from './evaluation-data';
import { evalMsg } from './messages';

export interface ClassifierOptions {
  readonly labels?: readonly Label[];
  readonly positiveClass?: Label;
  readonly threshold?: number;
}

export interface ResolvedClassifier {
  readonly labels: readonly Label[];
  readonly yTrue: number[];
  readonly yPred: number[];
  readonly probabilities: number[][] | null;
  readonly positive: number;
}

const key = (v: unknown) => `${typeof v === 'boolean' ? 'b' : ''}${String(v)}`;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

function checkLabel(what: string, value: unknown, row: number): Label {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) throw invalid(evalMsg.nanValue(what, row, value));
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw invalid(evalMsg.nanValue(what, row, value));
  return value;
}

function sortLabels(labels: Label[]): Label[] {
  return labels.every((l) => typeof l === 'number') ? labels.sort((a, b) => (a as number) - (b as number)) : labels.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

/** Rows of probabilities (k wide), or one positive-class probability per row (k = 1); null when the output is labels. */
function probabilityRows(output: readonly unknown[] | null, oneColumn = false): number[][] | null {
  if (output === null) return null;
  if (oneColumn && output.every((p) => !Array.isArray(p))) return probabilityRows(output.map((p) => [p]));
  if (output.every((r) => Array.isArray(r))) {
    const rows = output as unknown[][];
    return rows.map((r, i) => r.map((p) => {
      if (typeof p !== 'number' || Number.isNaN(p)) throw invalid(evalMsg.nanValue('probability', i, p));
      return p;
    }));
  }
  return null;
}

export function resolveClassifier(targets: readonly unknown[], targetsAreIndices: boolean, output: { predictions: unknown[] | null; probabilities: unknown[] | null }, options: ClassifierOptions): ResolvedClassifier {
  const n = targets.length;
  const trueLabels = targets.map((t, i) => checkLabel('target', t, i));
  let predictions = output.predictions;
  let probs = probabilityRows(output.probabilities, true);
  // A model that outputs probabilities (softmax rows, or one sigmoid column) gives them as its predictions.
  const predictedRows = probabilityRows(predictions);
  if (predictedRows !== null) {
    if (predictedRows[0]?.length === 1) {
      predictions = predictedRows.map((r) => r[0]);
    } else {
      probs ??= predictedRows;
      predictions = null;
    }
  }
  if (predictions !== null && predictions.length !== n) throw invalid(evalMsg.lengthMismatch('the predictions', predictions.length, n));
  if (probs !== null && probs.length !== n) throw invalid(evalMsg.lengthMismatch('the probabilities', probs.length, n));

  const labels = resolveLabels(trueLabels, predictions, probs, targetsAreIndices, options);
  const index = new Map(labels.map((l, i) => [key(l), i]));
  const k = labels.length;
  let positive = k - 1;
  if (options.positiveClass !== undefined) {
    const at = index.get(key(options.positiveClass));
    if (at === undefined) throw invalid(evalMsg.positiveClassBad(options.positiveClass, labels));
    positive = at;
  }
  const indexOf = (what: string, value: Label, row: number): number => {
    const at = index.get(key(value));
    if (at === undefined) throw invalid(evalMsg.unknownLabel(what, row, value, labels));
    return at;
  };
  const yTrue = trueLabels.map((t, i) => (targetsAreIndices ? (t as number) : indexOf('target', t, i)));

  // One number per row that is not a label: the positive class's probability.
  let hardPredictions = predictions;
  if (predictions !== null && probs === null && k === 2 && predictions.every((p) => typeof p === 'number')) {
    if (looksLikeProbabilities(predictions, index)) {
      probs = (predictions as number[]).map((p, i) => {
        if (Number.isNaN(p)) throw invalid(evalMsg.nanValue('prediction', i, p));
        const row = [0, 0];
        row[positive] = p;
        row[1 - positive] = 1 - p;
        return row;
      });
      hardPredictions = null;
    }
  }
  if (probs !== null) {
    if (probs[0].length === 1 && k === 2) {
      probs = probs.map((r) => { const row = [0, 0]; row[positive] = r[0]; row[1 - positive] = 1 - r[0]; return row; });
    }
    if (probs[0].length !== k) throw invalid(evalMsg.probabilityWidth(probs[0].length, k));
    probs.forEach((row, i) => row.forEach((p) => {
      if (!(p >= -1e-9 && p <= 1 + 1e-9)) throw invalid(evalMsg.probabilityBad(i, p));
    }));
  }
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) throw invalid(evalMsg.thresholdBad(threshold));
  let yPred: number[];
  if (hardPredictions !== null) {
    yPred = hardPredictions.map((p, i) => indexOf('prediction', checkLabel('prediction', p, i), i));
  } else if (probs !== null) {
    yPred = probs.map((row) => (k === 2 ? (row[positive] >= threshold ? positive : 1 - positive) : argmax(row)));
  } else {
    throw invalid(evalMsg.outputUnsupported(output.predictions));
  }
  return { labels, yTrue, yPred, probabilities: probs, positive };
}

function resolveLabels(trueLabels: Label[], predictions: unknown[] | null, probs: number[][] | null, targetsAreIndices: boolean, options: ClassifierOptions): Label[] {
  if (options.labels !== undefined) {
    const given = options.labels;
    if (!Array.isArray(given)) throw invalid(evalMsg.labelsBad('is not an array'));
    if (new Set(given.map(key)).size !== given.length) throw invalid(evalMsg.labelsBad('has duplicates'));
    given.forEach((l, i) => checkLabel('label', l, i));
    if (given.length < 2) throw invalid(evalMsg.oneLabel(given));
    return [...given];
  }
  const width = probs?.[0]?.length ?? 0;
  const indexTargets = trueLabels.every((t) => typeof t === 'number' && Number.isInteger(t) && t >= 0 && t < width);
  if (width >= 2 && (targetsAreIndices || indexTargets)) return Array.from({ length: width }, (_, i) => i);
  if (targetsAreIndices) throw invalid(evalMsg.probabilitiesNeedLabels());
  const seen = new Map<string, Label>();
  for (const t of trueLabels) seen.set(key(t), t);
  if (predictions !== null && !(width === 0 && looksLikeProbabilities(predictions, seen))) {
    predictions.forEach((p, i) => { const l = checkLabel('prediction', p, i); seen.set(key(l), l); });
  }
  const labels = sortLabels([...seen.values()]);
  if (width >= 2 && labels.length !== width) throw invalid(evalMsg.probabilitiesNeedLabels());
  if (labels.length < 2) throw invalid(evalMsg.oneLabel(labels));
  return labels;
}

/** One number per row in [0, 1] that is not a known label: a positive-class probability. */
function looksLikeProbabilities(predictions: readonly unknown[], labels: ReadonlyMap<string, unknown>): boolean {
  return predictions.every((p) => typeof p === 'number' && p >= 0 && p <= 1) && predictions.some((p) => !labels.has(key(p)));
}
