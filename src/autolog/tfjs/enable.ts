/**
 * Turning TensorFlow.js autolog on and off: patches every tfjs-layers copy
 * already loaded and, through a require hook, any loaded later.
 */
import { loadedLayersModules, unwatchTfjsRequires, watchTfjsRequires } from './find-tfjs';
import { tfjsSettings, type TfjsAutologHooks, type TfjsAutologOptions } from './options';
import { fitSettings, patchLayers, setFitSettings, unpatchAll } from './patch-fit';
import { patchEvaluate, unpatchEvaluate } from './patch-evaluate';
import type { LayersModule } from './tfjs-shapes';

function patch(layers: LayersModule): void {
  patchLayers(layers);
  patchEvaluate(layers);
}

/**
 * Logs every `model.fit` / `model.fitDataset` of TensorFlow.js from now on:
 * params, per-epoch metrics, early stopping, the model summary and the
 * trained model; `model.evaluate()` results become `eval_*` metrics of the
 * run the model was fit in. tfjs may be loaded before or after this call. Calling it
 * again changes the options (keeping `hooks` unless new ones are given);
 * fits never get patched twice.
 *
 * A fit logs into the active run (or, in a notebook with autolog on, the
 * cell's run); a later fit in the same run gets a child run; with no run at
 * all each fit gets its own run, FINISHED when fit returns and FAILED when it
 * throws. A tracklab failure (full disk, closed store) prints one warning and
 * training goes on.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * enableTfjsAutolog({ batches: false });
 * await model.fit(xs, ys, { epochs: 20, validationSplit: 0.2 }); // one run, 20 epochs of loss/val_loss
 */
export function enableTfjsAutolog(options?: TfjsAutologOptions, hooks?: TfjsAutologHooks): void {
  // A user's own call (options only) keeps the hook the notebook bridge installed.
  setFitSettings(tfjsSettings(options, hooks ?? { implicitRun: fitSettings()?.implicitRun }));
  for (const layers of loadedLayersModules()) patch(layers);
  watchTfjsRequires(patch);
}

/**
 * Removes every patch: fit and fitDataset are the original functions again
 * and the require hook is gone. A fit already running finishes its logging.
 * @example disableTfjsAutolog();
 */
export function disableTfjsAutolog(): void {
  setFitSettings(undefined);
  unpatchAll();
  unpatchEvaluate();
  unwatchTfjsRequires();
}

/** True while TensorFlow.js autolog is on. */
export function tfjsAutologEnabled(): boolean {
  return fitSettings() !== undefined;
}

