/** Options of TensorFlow.js autolog, validated once when autolog is turned on. */
import { TracklabError } from '../../errors';
import type { ActiveRun } from '../../tracking/active-run';
import { autologMsg } from '../messages';

export interface TfjsAutologOptions {
  /** Also log per-batch metrics as `batch/<name>`, step = batch index over the whole fit. Default false. */
  readonly batches?: boolean;
  /** Log the trained model (tfjs flavor) as artifact `model` when a fit ends. Default true. */
  readonly logModels?: boolean;
  /** Log `model.summary()` as `model_summary.txt`. Default true. */
  readonly modelSummary?: boolean;
}

/** How the notebook bridge lends its cell-scoped run to fits that start with no active run. */
export interface TfjsAutologHooks {
  /** The run `log()` would use when no run is active (the notebook's implicit cell run), or undefined. */
  readonly implicitRun?: () => ActiveRun | undefined;
}

export interface TfjsSettings {
  readonly batches: boolean;
  readonly logModels: boolean;
  readonly modelSummary: boolean;
  readonly implicitRun: (() => ActiveRun | undefined) | undefined;
}

const KEYS = new Set(['batches', 'logModels', 'modelSummary']);

export function tfjsSettings(options: TfjsAutologOptions | undefined, hooks: TfjsAutologHooks | undefined): TfjsSettings {
  const opts = options ?? {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', autologMsg.optionsNotObject(opts));
  }
  for (const key of Object.keys(opts)) {
    if (!KEYS.has(key)) throw new TracklabError('INVALID_PARAMETER_VALUE', autologMsg.unknownOption(key, [...KEYS]));
    const value = (opts as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'boolean') throw new TracklabError('INVALID_PARAMETER_VALUE', autologMsg.optionNotBoolean(key, value));
  }
  const implicitRun = hooks?.implicitRun;
  if (implicitRun !== undefined && typeof implicitRun !== 'function') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', autologMsg.hookNotFunction('implicitRun'));
  }
  return {
    batches: opts.batches ?? false,
    logModels: opts.logModels ?? true,
    modelSummary: opts.modelSummary ?? true,
    implicitRun,
  };
}
