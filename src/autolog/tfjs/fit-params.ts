/**
 * The params of one fit, read from the compiled model and the fit arguments:
 * optimizer class and config, loss, metrics, epochs, batch size, validation,
 * layer and parameter counts, and the EarlyStopping settings when one is passed.
 */
import type { LayersModelLike } from './tfjs-shapes';

export type FitKind = 'fit' | 'fitDataset';

export type FitParams = Record<string, string | number | boolean>;

/** An EarlyStopping callback, recognised by its fields (any tfjs copy). */
export interface EarlyStoppingLike {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta?: number;
  readonly mode?: string;
  readonly baseline?: number;
  readonly stoppedEpoch?: number;
}

function isEarlyStopping(value: unknown): value is EarlyStoppingLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.monitor === 'string' && typeof v.patience === 'number' && typeof v.onEpochEnd === 'function' &&
    typeof v.getMonitorValue === 'function';
}

/** The EarlyStopping callbacks among the user's callbacks. */
export function earlyStoppingCallbacks(callbacks: unknown): EarlyStoppingLike[] {
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  return list.filter(isEarlyStopping);
}

function nameOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return value.name || 'custom';
  return 'custom';
}

/** A compiled loss as text: `meanSquaredError`, `a,b` for several outputs, `out1=mse,out2=mae` for a map. */
function lossText(loss: unknown): string | undefined {
  if (loss === undefined || loss === null) return undefined;
  if (Array.isArray(loss)) return loss.map(nameOf).join(',');
  if (typeof loss === 'object') return Object.entries(loss).map(([k, v]) => `${k}=${nameOf(v)}`).join(',');
  return nameOf(loss);
}

function trainableCount(model: LayersModelLike): number {
  let total = 0;
  for (const w of model.trainableWeights ?? []) {
    let n = 1;
    for (const d of w.shape) n *= d ?? 0;
    total += n;
  }
  return total;
}

/** Optimizer params: its class, `learning_rate`, and the rest of its config as `optimizer.<key>`. */
function optimizerParams(model: LayersModelLike, out: FitParams): void {
  const opt = model.optimizer;
  if (!opt) return;
  out.optimizer = opt.getClassName();
  const config = opt.getConfig();
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') continue;
    if (key === 'learningRate') out.learning_rate = value;
    else out[`optimizer.${key}`] = value;
  }
}

/**
 * Params for a fit of `model`. `args` is fit's third argument or fitDataset's second.
 * @example fitParams(model, 'fit', { epochs: 5, batchSize: 16 }) // { optimizer: 'Adam', learning_rate: 0.01, epochs: 5, ... }
 */
export function fitParams(model: LayersModelLike, kind: FitKind, args: Readonly<Record<string, unknown>>): FitParams {
  const out: FitParams = {};
  optimizerParams(model, out);
  const loss = lossText(model.loss);
  if (loss !== undefined) out.loss = loss;
  const metrics = (model.metricsNames ?? []).filter((n) => n !== 'loss' && !n.endsWith('_loss'));
  if (metrics.length > 0) out.metrics = metrics.join(',');
  out.epochs = typeof args.epochs === 'number' ? args.epochs : 1;
  if (typeof args.initialEpoch === 'number' && args.initialEpoch !== 0) out.initial_epoch = args.initialEpoch;
  if (kind === 'fit') {
    out.batch_size = typeof args.batchSize === 'number' ? args.batchSize : 32;
    out.validation_split = typeof args.validationSplit === 'number' ? args.validationSplit : 0;
    out.shuffle = typeof args.shuffle === 'boolean' ? args.shuffle : args.shuffle === undefined ? true : String(args.shuffle);
  } else {
    if (typeof args.batchesPerEpoch === 'number') out.batches_per_epoch = args.batchesPerEpoch;
    if (typeof args.validationBatches === 'number') out.validation_batches = args.validationBatches;
  }
  if (args.validationData != null) out.validation_data = true;
  out.layer_count = model.layers.length;
  out.trainable_params = trainableCount(model);
  const early = earlyStoppingCallbacks(args.callbacks)[0];
  if (early) {
    out['early_stopping.monitor'] = early.monitor;
    out['early_stopping.patience'] = early.patience;
    out['early_stopping.min_delta'] = Math.abs(early.minDelta ?? 0);
    if (early.mode !== undefined) out['early_stopping.mode'] = early.mode;
    if (typeof early.baseline === 'number') out['early_stopping.baseline'] = early.baseline;
  }
  return out;
}
