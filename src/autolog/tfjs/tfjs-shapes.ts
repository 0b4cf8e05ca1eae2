/**
 * The parts of `@tensorflow/tfjs-layers` that autolog touches, as structural
 * types. tracklab never imports tfjs: it finds the copy the user loaded, so
 * these shapes are checked at runtime by the guards below.
 */

/** A `tf.Tensor`, as far as autolog reads one. */
export interface TensorLike {
  readonly shape: readonly number[];
  slice(begin: number, size?: number): TensorLike;
  arraySync(): unknown;
  dispose(): void;
}

export interface OptimizerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
}

/** `tf.LayersModel` / `tf.Sequential` as autolog uses them. */
export interface LayersModelLike {
  readonly layers: readonly unknown[];
  readonly optimizer?: OptimizerLike | null;
  readonly loss?: unknown;
  readonly metricsNames?: readonly string[];
  readonly trainableWeights?: readonly { readonly shape: readonly (number | null)[] }[];
  readonly isTraining?: boolean;
  /** Sequential keeps the LayersModel it trains in `model`. */
  readonly model?: { readonly isTraining?: boolean };
  stopTraining?: boolean;
  summary(lineLength?: number, positions?: number[], printFn?: (...message: unknown[]) => void): void;
}

/** A callback or a config of one (`{ onEpochEnd }`), as `fit` accepts them. */
export type CallbackArg = unknown;

/** Constructor of `tf.CustomCallback(config, yieldEvery)`. */
export type CustomCallbackCtor = new (config: Record<string, unknown>, yieldEvery?: unknown) => object;

/** The exports of one loaded copy of tfjs-layers (also re-exported by `@tensorflow/tfjs`). */
export interface LayersModule {
  readonly LayersModel: { readonly prototype: object };
  readonly Sequential: { readonly prototype: object };
  readonly CustomCallback: CustomCallbackCtor;
}

export function isLayersModule(value: unknown): value is LayersModule {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return typeof m.LayersModel === 'function' && typeof m.Sequential === 'function' && typeof m.CustomCallback === 'function' &&
    typeof (m.LayersModel as { prototype?: { fit?: unknown } }).prototype?.fit === 'function';
}

export function isTensorLike(value: unknown): value is TensorLike {
  if (value === null || typeof value !== 'object') return false;
  const t = value as Record<string, unknown>;
  return Array.isArray(t.shape) && typeof t.slice === 'function' && typeof t.arraySync === 'function' && typeof t.dispose === 'function';
}
