/**
 * `model.evaluate()` under autolog: its results are logged as metrics
 * `eval_<name>` (eval_loss, eval_acc, …) of the run the model was fit in
 * (as MLflow's post-training metrics go to the training run), else of the
 * active run or the notebook's cell run; with no run at all nothing is
 * logged. The step counts evaluate calls on that run (0, 1, …).
 * Only LayersModel.prototype.evaluate is wrapped: Sequential delegates to
 * its inner LayersModel, so a call is seen once.
 */
import type { ActiveRun } from '../../tracking/active-run';
import { activeRun } from '../../tracking/fluent';
import { autologMsg, warnOnce } from '../messages';
import type { LayersModule } from './tfjs-shapes';
import { fitSettings, ORIGINAL } from './patch-fit';
import { fitRunOf } from './fit-run';

type EvaluateFn = (this: unknown, ...args: unknown[]) => unknown;

interface ScalarLike {
  dataSync(): ArrayLike<number>;
}

const evaluations = new WeakMap<ActiveRun, number>();
const patches: { proto: object; descriptor: PropertyDescriptor; wrapper: EvaluateFn }[] = [];

function isScalar(v: unknown): v is ScalarLike {
  return typeof v === 'object' && v !== null && typeof (v as ScalarLike).dataSync === 'function';
}

function logEvaluation(model: object, result: unknown): void {
  const settings = fitSettings();
  if (settings === undefined) return;
  const active = activeRun();
  const run = fitRunOf(model) ?? (active?.running ? active : undefined) ?? settings.implicitRun?.();
  if (run === undefined) return;
  const scalars = Array.isArray(result) ? result : [result];
  if (!scalars.every(isScalar)) return;
  const names = (model as { metricsNames?: readonly string[] }).metricsNames ?? [];
  const metrics: Record<string, number> = {};
  scalars.forEach((s, i) => { metrics[`eval_${names[i] ?? (i === 0 ? 'loss' : `metric_${i}`)}`] = s.dataSync()[0]; });
  const step = evaluations.get(run) ?? 0;
  evaluations.set(run, step + 1);
  // Through the client: the fit run may have ended with its cell, and the run's own step counter stays as it is.
  run.client.logMetrics(run.id, metrics, step);
}

export function patchEvaluate(layers: LayersModule): void {
  const proto = layers.LayersModel.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'evaluate');
  const original = descriptor?.value as EvaluateFn | undefined;
  if (descriptor === undefined || typeof original !== 'function' || ORIGINAL in original) return;
  const wrapper: EvaluateFn = function (this: unknown, ...args: unknown[]): unknown {
    const result = Reflect.apply(original, this, args);
    try {
      logEvaluation(this as object, result);
    } catch (error) {
      warnOnce('tfjs-evaluate', autologMsg.fitFailed('log model.evaluate() results', error));
    }
    return result;
  };
  Object.defineProperty(wrapper, ORIGINAL, { value: original });
  Object.defineProperty(proto, 'evaluate', { ...descriptor, value: wrapper });
  patches.push({ proto, descriptor, wrapper });
}

export function unpatchEvaluate(): void {
  for (const p of patches.splice(0)) {
    if (Object.getOwnPropertyDescriptor(p.proto, 'evaluate')?.value === p.wrapper) Object.defineProperty(p.proto, 'evaluate', p.descriptor);
  }
}
