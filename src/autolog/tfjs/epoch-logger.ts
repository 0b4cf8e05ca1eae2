/**
 * The callback autolog adds after the user's: per-epoch metrics (step =
 * epoch), optional per-batch metrics (`batch/<name>`, step = batch index over
 * the whole fit), and the epoch where training was stopped early.
 */
import type { ActiveRun } from '../../tracking/active-run';
import { emptyRecord } from '../../records';
import type { LayersModelLike } from './tfjs-shapes';

/** Keys tfjs puts in batch logs that are bookkeeping, not metrics. */
const BATCH_BOOKKEEPING = new Set(['batch', 'size']);

export interface EpochLogger {
  /** A `tf.CustomCallback` config; tfjs resolves tensors to numbers before calling it. */
  readonly config: Record<string, unknown>;
  /** The epoch at which training was stopped early (EarlyStopping or `model.stopTraining = true`), if it was. */
  stoppedEpoch(): number | undefined;
  /** Epochs logged so far. */
  epochsLogged(): number;
}

export interface EpochLoggerOptions {
  readonly batches: boolean;
  /** Called once, on the first logging failure; logging stops after it and training goes on. */
  readonly onError: (what: string, error: unknown) => void;
}

function numeric(logs: unknown, prefix: string, skip?: ReadonlySet<string>, keys?: Map<string, string>): Record<string, number> {
  const out = emptyRecord<number>(); // metric names are the user's: "constructor" is a key like any other
  if (logs === null || typeof logs !== 'object') return out;
  for (const [key, value] of Object.entries(logs as Record<string, unknown>)) {
    if (typeof value !== 'number' || skip?.has(key)) continue;
    let name = keys?.get(key);
    if (name === undefined) {
      name = prefix + key;
      keys?.set(key, name);
    }
    out[name] = value;
  }
  return out;
}

/** Builds the callback for one fit logging into `run`. */
export function epochLogger(run: ActiveRun, model: LayersModelLike, opts: EpochLoggerOptions): EpochLogger {
  let broken = false;
  let stopped: number | undefined;
  let epochs = 0;
  let batchStep = 0;
  const batchKeys = new Map<string, string>();

  function fail(what: string, error: unknown): void {
    if (broken) return;
    broken = true;
    opts.onError(what, error);
  }

  const config: Record<string, unknown> = {
    onEpochEnd: (epoch: number, logs: unknown): void => {
      if (broken) return;
      try {
        run.log(numeric(logs, ''), epoch);
        epochs++;
        if (model.stopTraining === true) stopped = epoch;
      } catch (error) {
        fail('log epoch metrics', error);
      }
    },
  };
  if (opts.batches) {
    config.onBatchEnd = (_batch: number, logs: unknown): void => {
      if (broken) return;
      try {
        run.log(numeric(logs, 'batch/', BATCH_BOOKKEEPING, batchKeys), batchStep++);
      } catch (error) {
        fail('log batch metrics', error);
      }
    };
  }
  return {
    config,
    stoppedEpoch: () => stopped,
    epochsLogged: () => epochs,
  };
}
