/**
 * One tracked fit: opens its run, chains the logging callback after the
 * user's, logs the model summary, and at the end the stopped epoch and the
 * model. Every tracklab failure here becomes one warning; tfjs's own result
 * and errors pass through unchanged.
 */
import { validateParams } from '../../validation';
import { logModel } from '../../models/log-model';
import { autologMsg, warnOnce } from '../messages';
import { epochLogger, type EpochLogger } from './epoch-logger';
import { fitParams, type FitKind } from './fit-params';
import { openFitRun, rememberFitRun, type FitRun } from './fit-run';
import { firstRows, watchFirstBatch } from './input-example';
import type { TfjsSettings } from './options';
import type { LayersModelLike, LayersModule } from './tfjs-shapes';

/** Marks autolog's own callback, so a fit already tracked (Sequential.fit calling LayersModel.fit) is not tracked twice. */
export const AUTOLOG_CALLBACK = Symbol.for('tracklab.autolog.tfjs.callback');

export const AUTOLOG_TAGS: Readonly<Record<string, string>> = { 'tracklab.autolog': 'tfjs' };

export interface FitSession {
  /** The arguments to call the original fit with. */
  readonly callArgs: unknown[];
  finish(): Promise<void>;
  fail(error: unknown): Promise<void>;
}

function argsIndex(kind: FitKind): number {
  return kind === 'fit' ? 2 : 1;
}

function fitArgs(kind: FitKind, callArgs: readonly unknown[]): Record<string, unknown> {
  const args = callArgs[argsIndex(kind)];
  return args !== null && typeof args === 'object' ? args as Record<string, unknown> : {};
}

/** True when autolog's callback is already among the fit's callbacks. */
export function alreadyTracked(kind: FitKind, callArgs: readonly unknown[]): boolean {
  const callbacks = fitArgs(kind, callArgs).callbacks;
  return Array.isArray(callbacks) && callbacks.some((c) => c !== null && typeof c === 'object' && AUTOLOG_CALLBACK in c);
}

/**
 * The user's callbacks followed by autolog's, in the form tfjs would have
 * made of them: configs become CustomCallbacks with the fit's `yieldEvery`,
 * callback objects stay as they are, and no callbacks at all still gets
 * tfjs's default yielding callback.
 */
function chainCallbacks(user: unknown, ours: object, yieldEvery: unknown, layers: LayersModule): unknown[] {
  const Base = Object.getPrototypeOf(layers.CustomCallback) as abstract new () => object;
  const isCallback = (c: unknown): boolean => typeof Base === 'function' && c instanceof Base;
  if (user === null || user === undefined) return [new layers.CustomCallback({}, yieldEvery), ours];
  if (isCallback(user)) return [user, ours];
  if (Array.isArray(user) && isCallback(user[0])) return [...user as unknown[], ours];
  const configs = Array.isArray(user) ? user as unknown[] : [user];
  return [...configs.map((c) => new layers.CustomCallback(c as Record<string, unknown>, yieldEvery)), ours];
}

function captureSummary(model: LayersModelLike): string {
  const lines: string[] = [];
  model.summary(undefined, undefined, (...message: unknown[]) => { lines.push(message.map(String).join(' ')); });
  return lines.join('\n') + '\n';
}

/**
 * Starts tracking a fit. Throws when the run cannot be opened; the caller
 * warns and trains untracked.
 */
export function startFitSession(
  model: LayersModelLike, kind: FitKind, callArgs: readonly unknown[], layers: LayersModule, settings: TfjsSettings,
): FitSession {
  const args = fitArgs(kind, callArgs);
  const params = validateParams(fitParams(model, kind, args));
  const target: FitRun = openFitRun(params, AUTOLOG_TAGS, settings.implicitRun);
  const run = target.run;
  rememberFitRun(model, run);
  let warned = false;
  const warn = (what: string, error: unknown): void => {
    // One warning per fit, and once per kind of failure in the process.
    if (warned) return;
    warned = true;
    warnOnce(`tfjs-${what}`, autologMsg.fitFailed(what, error));
  };
  const pending: Promise<unknown>[] = [];
  let example: unknown[] | undefined;
  let logger: EpochLogger;
  const next = [...callArgs];
  try {
    logger = epochLogger(run, model, { batches: settings.batches, onError: warn });
    const ours = new layers.CustomCallback(logger.config, 'never');
    Object.defineProperty(ours, AUTOLOG_CALLBACK, { value: true });
    next[argsIndex(kind)] = { ...args, callbacks: chainCallbacks(args.callbacks, ours, args.yieldEvery, layers) };
    if (settings.logModels) {
      if (kind === 'fit') example = tryRows(callArgs[0], warn);
      else next[0] = watchFirstBatch(callArgs[0], (xs) => { example = tryRows(xs, warn); });
    }
  } catch (error) {
    if (target.owned) void run.end('FAILED', `tracklab autolog could not set up: ${String(error)}`).catch(() => undefined);
    throw error;
  }
  if (settings.modelSummary) {
    try {
      pending.push(run.logArtifact({ text: captureSummary(model) }, 'model_summary.txt').catch((error: unknown) => warn('log the model summary', error)));
    } catch (error) {
      warn('log the model summary', error);
    }
  }

  return {
    callArgs: next,
    async finish(): Promise<void> {
      const stopped = logger.stoppedEpoch();
      if (stopped !== undefined) {
        try {
          run.logMetric('stopped_epoch', stopped, 0);
          run.setTag('tracklab.autolog.stopped_epoch', String(stopped));
        } catch (error) {
          warn('record early stopping', error);
        }
      }
      if (settings.logModels) await logTrainedModel(target, model, example, warn);
      await Promise.all(pending);
      if (target.owned) await run.end('FINISHED').catch((error: unknown) => warn('end the run', error));
    },
    async fail(error: unknown): Promise<void> {
      await Promise.all(pending);
      if (!target.owned) return;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await run.end('FAILED', message).catch((e: unknown) => warn('end the run', e));
    },
  };
}

function tryRows(x: unknown, warn: (what: string, error: unknown) => void): unknown[] | undefined {
  try {
    return firstRows(x);
  } catch (error) {
    warn('read the input example', error);
    return undefined;
  }
}

async function logTrainedModel(target: FitRun, model: LayersModelLike, example: unknown[] | undefined, warn: (what: string, error: unknown) => void): Promise<void> {
  try {
    await logModel(target.run, model, { name: 'model', flavor: 'tfjs', inputExample: example });
  } catch (error) {
    if (example === undefined) {
      warn('log the model', error);
      return;
    }
    // An example the signature inference cannot take must not cost the model itself.
    try {
      await logModel(target.run, model, { name: 'model', flavor: 'tfjs' });
    } catch (again) {
      warn('log the model', again);
    }
  }
}
