/**
 * `logPredictions(model, data, targets)`: the one call after a predict() on
 * held-out data. It is evaluate() with the model type inferred from the
 * targets as MLflow infers it: fractional numbers make a regressor,
 * anything else (labels, integers, one-hot rows) a classifier.
 */
import { isTfTensorLike } from '../models/tensor-data';
import { evaluate, type EvaluateOptions, type EvaluationResult } from './evaluate';
import type { Targets } from './evaluation-data';

/**
 * @example
 * await tracklab.logPredictions(model, testX, testY);                 // a tfjs classifier on tensors
 * await tracklab.logPredictions(forest, rows, 'price', { modelType: 'regressor' });
 */
export function logPredictions(model: unknown, data: unknown, targets: Targets, options: Partial<EvaluateOptions> = {}): Promise<EvaluationResult> {
  return evaluate(model, data, { ...options, targets, modelType: options.modelType ?? inferModelType(data, targets) });
}

function inferModelType(data: unknown, targets: Targets): 'classifier' | 'regressor' {
  let values: unknown[];
  if (typeof targets === 'string') {
    const rows = Array.isArray(data) ? (data as Record<string, unknown>[]) : [];
    const column = !Array.isArray(data) && typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[targets] : undefined;
    values = Array.isArray(column) ? column : rows.map((r) => r?.[targets]);
  } else if (isTfTensorLike(targets)) {
    if (targets.shape.length === 2 && targets.shape[1] > 1) return 'classifier';
    values = (targets.arraySync() as unknown[]).flat();
  } else {
    values = Array.from(targets as ArrayLike<unknown>);
  }
  return values.some((v) => typeof v === 'number' && !Number.isInteger(v)) ? 'regressor' : 'classifier';
}
