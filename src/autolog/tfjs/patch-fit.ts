/**
 * Wraps `fit` and `fitDataset` on `LayersModel.prototype` and
 * `Sequential.prototype` (Sequential overrides both and delegates to an
 * inner LayersModel, whose wrapper then sees autolog's callback and stands
 * aside). The wrapper carries its original under a symbol, so patching twice
 * is a no-op, and unpatching puts the very same function back.
 */
import { autologMsg, warnOnce } from '../messages';
import type { FitKind } from './fit-params';
import { alreadyTracked, startFitSession, type FitSession } from './fit-session';
import type { TfjsSettings } from './options';
import type { LayersModelLike, LayersModule } from './tfjs-shapes';

type FitFn = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** On a wrapper: the function it wraps. */
export const ORIGINAL = Symbol.for('tracklab.autolog.tfjs.original');

interface Patch {
  readonly proto: object;
  readonly method: FitKind;
  readonly original: FitFn;
  readonly descriptor: PropertyDescriptor;
  readonly wrapper: FitFn;
}

const METHODS: readonly FitKind[] = ['fit', 'fitDataset'];
const patches: Patch[] = [];
let settings: TfjsSettings | undefined;

function isTraining(model: LayersModelLike): boolean {
  return model.isTraining === true || model.model?.isTraining === true;
}

async function trackedFit(model: LayersModelLike, kind: FitKind, original: FitFn, args: unknown[], layers: LayersModule): Promise<unknown> {
  const current = settings;
  // A fit tfjs will refuse (already training, not compiled) gets no run.
  if (current === undefined || alreadyTracked(kind, args) || isTraining(model) || !model.optimizer) {
    return Reflect.apply(original, model, args);
  }
  let session: FitSession | undefined;
  try {
    session = startFitSession(model, kind, args, layers, current);
  } catch (error) {
    warnOnce('tfjs-start', autologMsg.fitFailed('start a run for this fit', error));
  }
  if (session === undefined) return Reflect.apply(original, model, args);
  let history: unknown;
  try {
    history = await Reflect.apply(original, model, session.callArgs);
  } catch (error) {
    await session.fail(error);
    throw error;
  }
  await session.finish();
  return history;
}

function wrap(method: FitKind, original: FitFn, layers: LayersModule): FitFn {
  const wrapper = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    return trackedFit(this as LayersModelLike, method, original, args, layers);
  };
  Object.defineProperty(wrapper, ORIGINAL, { value: original });
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return wrapper;
}

/** Wraps the fit methods of one tfjs-layers copy; already wrapped methods are left alone. */
export function patchLayers(layers: LayersModule): void {
  for (const proto of [layers.LayersModel.prototype, layers.Sequential.prototype]) {
    for (const method of METHODS) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, method);
      const original = descriptor?.value as FitFn | undefined;
      if (descriptor === undefined || typeof original !== 'function' || ORIGINAL in original) continue;
      const wrapper = wrap(method, original, layers);
      Object.defineProperty(proto, method, { ...descriptor, value: wrapper });
      patches.push({ proto, method, original, descriptor, wrapper });
    }
  }
}

/** Puts every original back. A wrapper someone else has wrapped since stays, but passes straight through. */
export function unpatchAll(): void {
  for (const p of patches.splice(0)) {
    const now = Object.getOwnPropertyDescriptor(p.proto, p.method);
    if (now?.value === p.wrapper) Object.defineProperty(p.proto, p.method, p.descriptor);
  }
}

/** Sets what wrappers do; undefined makes every wrapper pass straight through. */
export function setFitSettings(next: TfjsSettings | undefined): void {
  settings = next;
}

export function fitSettings(): TfjsSettings | undefined {
  return settings;
}
