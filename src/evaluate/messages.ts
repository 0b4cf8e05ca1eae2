/**
 * Every user-facing text of evaluate(), in one module so tests can assert
 * them. Each says what was wrong and what to do.
 */
import { describe, quote } from '../messages';

export const evalMsg = {
  empty: () =>
    'evaluate() got no rows to evaluate. Pass at least one row of data with its target.',
  lengthMismatch: (what: string, got: number, rows: number) =>
    `evaluate(): ${what} has ${got} entries but the data has ${rows} rows. Pass one per row, in the same order.`,
  targetsMissing: () =>
    'evaluate() needs the true values: pass { targets: "label" } (a column of the data) or { targets: [...] } (one per row).',
  targetColumnMissing: (column: string, columns: readonly string[]) =>
    `evaluate(): the data has no target column ${quote(column)} (columns: ${columns.slice(0, 12).map((c) => quote(c)).join(', ')}${columns.length > 12 ? ', …' : ''}).`,
  dataUnsupported: (got: unknown) =>
    `evaluate() takes data as row objects, an object of columns, an apache-arrow Table, a number matrix or a tfjs tensor; got ${describe(got)}.`,
  modelTypeBad: (got: unknown) =>
    `evaluate() needs { modelType: 'classifier' } or { modelType: 'regressor' }, got ${describe(got)}.`,
  sourceUnsupported: (got: unknown) =>
    'evaluate() takes a model to run (a loaded model, a models:/ or runs:/ URI, a tfjs model, an object with predict(), a function) ' +
    `or precomputed output ({ predictions } and/or { probabilities }, or an array); got ${describe(got)}.`,
  nanValue: (what: string, row: number, value: unknown) =>
    `evaluate(): ${what} of row ${row} is ${describe(value)}. Every ${what} must be a finite number (or a label); drop or fix that row first.`,
  notNumber: (what: string, row: number, value: unknown) =>
    `evaluate(): ${what} of row ${row} is ${describe(value)}, but a regressor's ${what}s must be numbers.`,
  oneLabel: (labels: readonly unknown[]) =>
    `evaluate(): a classifier needs at least two classes, but the targets and predictions only hold ${labels.length === 0 ? 'none' : labels.map((l) => quote(String(l))).join(', ')}. ` +
    'Evaluate on data with both classes, or pass { labels: [...] } listing every class.',
  unknownLabel: (what: string, row: number, value: unknown, labels: readonly unknown[]) =>
    `evaluate(): ${what} ${quote(String(value))} of row ${row} is not one of the labels ${labels.map((l) => quote(String(l))).join(', ')}. Add it to { labels } or fix the row.`,
  labelsBad: (why: string) =>
    `evaluate(): { labels } ${why}. Pass the classes as an array of distinct strings or numbers, in the order of the model's probability columns.`,
  positiveClassBad: (value: unknown, labels: readonly unknown[]) =>
    `evaluate(): positiveClass ${quote(String(value))} is not one of the labels ${labels.map((l) => quote(String(l))).join(', ')}.`,
  probabilityWidth: (width: number, labels: number) =>
    `evaluate(): the model gave ${width} probability columns but there are ${labels} labels. Pass { labels } in the order of the model's output columns.`,
  probabilityBad: (row: number, value: unknown) =>
    `evaluate(): probability ${describe(value)} in row ${row} is not in [0, 1]. Pass probabilities (e.g. a softmax or sigmoid output), not logits.`,
  probabilitiesNeedLabels: () =>
    "evaluate(): the model outputs class probabilities but the targets are not class indices 0..k-1. Pass { labels: [...] } in the order of the model's output columns.",
  outputUnsupported: (got: unknown) =>
    `evaluate(): the model's output is ${describe(got)}; expected one value per row (labels or numbers) or one row of class probabilities per row.`,
  averageBad: (got: unknown) =>
    `evaluate(): average must be 'weighted' or 'macro', got ${describe(got)}.`,
  thresholdBad: (got: unknown) =>
    `evaluate(): threshold must be a number in (0, 1), got ${describe(got)}.`,
  predictFailed: (detail: string) =>
    `evaluate(): the model's predict() failed: ${detail}`,
  tfjsMissing: () =>
    'evaluate(): a tfjs model needs a tensor, but no loaded @tensorflow/tfjs was found to build one from rows. Pass the data as a tensor, or import tfjs first.',
  runBad: (got: unknown) =>
    `evaluate(): { run } must be an active run or a run id string, got ${describe(got)}.`,
  optionsBad: (got: unknown) =>
    `evaluate() takes an options object like { modelType: 'classifier', targets: 'label' }, got ${describe(got)}.`,
} as const;
