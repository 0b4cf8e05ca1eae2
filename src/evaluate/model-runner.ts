/**
 * Runs what evaluate() was given on the evaluation data and returns its raw
 * output: predicted values and/or class probabilities, as plain arrays.
 * - a `models:/` or `runs:/` URI or a local package folder: loaded with
 *   loadModel, then like a loaded model;
 * - a loaded model (loadModel's result): rows go in as rows, so its
 *   signature checks them;
 * - a tfjs LayersModel: a tensor goes in (built with the loaded tfjs when
 *   the data was rows or a matrix);
 * - any other object with predict() (ml.js models) or a function: a number
 *   matrix goes in; `predictProba(x)` or ml.js's `predictProbability(x, label)`
 *   give probabilities when present;
 * - precomputed output: an array, or `{ predictions, probabilities }`.
 */
import { TracklabError } from '../errors';
import { loadModel } from '../models/load-model';
import { rowsToMatrix } from '../models/predict-input';
import { isDimsTensor, isTfTensorLike, isTypedArray, unflatten } from '../models/tensor-data';
import type { EvaluationFrame, ModelInput } from './evaluation-data';
import { evalMsg } from './messages';
import { findTfjs } from './find-tfjs';

export interface RawOutput {
  readonly predictions: unknown[] | null;
  readonly probabilities: unknown[] | null;
}

type PredictFn = (x: unknown) => unknown;

interface Predictor {
  readonly predict: PredictFn;
  readonly predictProba?: PredictFn;
  readonly predictProbability?: (x: unknown, label: unknown) => unknown;
}

export type EvaluationSource = string | PredictFn | Predictor | readonly unknown[] | { readonly predictions?: unknown; readonly probabilities?: unknown };

function isLoadedModel(source: object): boolean {
  const s = source as Record<string, unknown>;
  return typeof s.predict === 'function' && typeof s.flavor === 'string' && typeof s.metadata === 'object';
}

function isLayersModel(source: object): boolean {
  const s = source as Record<string, unknown>;
  return typeof s.predict === 'function' && Array.isArray(s.layers) && Array.isArray(s.inputs);
}

/** True for sources that carry their output instead of a model to run. */
export function isPrecomputed(source: unknown): boolean {
  if (Array.isArray(source) || isTypedArray(source) || isTfTensorLike(source)) return true;
  if (typeof source !== 'object' || source === null) return false;
  const s = source as Record<string, unknown>;
  return typeof s.predict !== 'function' && ('predictions' in s || 'probabilities' in s);
}

/**
 * The source's output on the frame. `labels` (known or inferred from the
 * targets) is what ml.js's per-label predictProbability is asked about.
 */
export async function runSource(source: unknown, frame: EvaluationFrame, labels: readonly unknown[] | undefined): Promise<RawOutput> {
  if (isPrecomputed(source)) {
    if (Array.isArray(source) || isTypedArray(source) || isTfTensorLike(source)) return { predictions: toArray(source), probabilities: null };
    const s = source as { predictions?: unknown; probabilities?: unknown };
    return {
      predictions: s.predictions === undefined ? null : toArray(s.predictions),
      probabilities: s.probabilities === undefined ? null : toArray(s.probabilities),
    };
  }
  let model: unknown = source;
  if (typeof source === 'string') model = await loadModel(source);
  if (typeof model === 'function') return { predictions: toArray(await call(() => (model as PredictFn)(matrixOf(frame.input)))), probabilities: null };
  if (typeof model !== 'object' || model === null || typeof (model as Predictor).predict !== 'function') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', evalMsg.sourceUnsupported(source));
  }
  if (isLoadedModel(model)) {
    const x = frame.input.kind === 'rows' ? frame.input.rows : frame.input.kind === 'tensor' ? frame.input.tensor.arraySync() : frame.input.matrix;
    return { predictions: toArray(await call(() => (model as Predictor).predict(x))), probabilities: null };
  }
  if (isLayersModel(model)) {
    const { tensor, dispose } = tensorOf(frame.input);
    try {
      return { predictions: toArray(await call(() => (model as Predictor).predict(tensor)), true), probabilities: null };
    } finally {
      dispose();
    }
  }
  const predictor = model as Predictor;
  const x = matrixOf(frame.input);
  const predictions = toArray(await call(() => predictor.predict(x)));
  let probabilities: unknown[] | null = null;
  if (typeof predictor.predictProba === 'function') {
    probabilities = toArray(await call(() => (predictor.predictProba as PredictFn)(x)));
  } else if (typeof predictor.predictProbability === 'function' && labels !== undefined && labels.length > 0) {
    const columns: unknown[][] = [];
    for (const label of labels) columns.push(toArray(await call(() => predictor.predictProbability?.(x, label))));
    probabilities = frame.targets.map((_, i) => columns.map((c) => c[i]));
  }
  return { predictions, probabilities };
}

async function call(fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof TracklabError) throw cause;
    throw new TracklabError('INVALID_PARAMETER_VALUE', evalMsg.predictFailed(cause instanceof Error ? cause.message : String(cause)), { cause });
  }
}

function matrixOf(input: ModelInput): readonly (readonly number[])[] {
  if (input.kind === 'matrix') return input.matrix;
  if (input.kind === 'rows') return rowsToMatrix(input.rows, input.columns);
  return input.tensor.arraySync() as number[][];
}

function tensorOf(input: ModelInput): { tensor: unknown; dispose: () => void } {
  if (input.kind === 'tensor') return { tensor: input.tensor, dispose: () => undefined };
  const tf = findTfjs();
  if (tf === undefined) throw new TracklabError('INVALID_STATE', evalMsg.tfjsMissing());
  const tensor = tf.tensor2d(matrixOf(input) as number[][]);
  return { tensor, dispose: () => tensor.dispose() };
}

/**
 * Model output as plain nested arrays: tensors read (and disposed when the
 * model made them), `{ data, dims }` reshaped, typed arrays copied, a
 * single-output object unwrapped.
 */
export function toArray(value: unknown, owned = false): unknown[] {
  if (isTfTensorLike(value)) {
    const nested = value.arraySync();
    if (owned) (value as { dispose?: () => void }).dispose?.();
    return Array.isArray(nested) ? nested : [nested];
  }
  if (isDimsTensor(value)) return toArray(unflatten(value.data as ArrayLike<number>, value.dims));
  if (isTypedArray(value)) return Array.from(value as ArrayLike<number>);
  if (Array.isArray(value)) return value.map((v) => (isTypedArray(v) ? Array.from(v as ArrayLike<number>) : v));
  if (typeof value === 'object' && value !== null) {
    const values = Object.values(value);
    if (values.length === 1) return toArray(values[0], owned);
  }
  throw new TracklabError('INVALID_PARAMETER_VALUE', evalMsg.outputUnsupported(value));
}
