/**
 * The system metrics sampler: every `intervalMs` (10 s by default, as
 * MLflow) one sample of the process and the machine, logged as `system/*`
 * metrics with MLflow's names (mlflow/system_metrics/) plus Node's own:
 * - cpu_utilization_percentage (machine), system_memory_usage_megabytes and
 *   _percentage, disk_usage_percentage/_megabytes, disk_available_megabytes,
 *   network_receive/transmit_megabytes (since the sampler started; MLflow
 *   counts since boot), gpu_<i>_* through nvidia-smi;
 * - process_cpu_percentage (100 = one core), process_memory_rss_megabytes;
 * - Node: disk_read/write_megabytes (whole disks, since start),
 *   process_heap_used/_total_megabytes and event_loop_lag_milliseconds
 *   (mean) / event_loop_lag_max_milliseconds (both of the main thread,
 *   read when the sample is logged).
 *
 * Off the training's hot path: the reading happens in one worker thread
 * per process (sampler-worker.ts), which samples on time even when training
 * never yields to the event loop; the worker and the ports are unref'd (they
 * keep no process alive); the main thread only logs finished samples when it runs
 * anyway, and takes any still queued synchronously when the run ends.
 */
import * as path from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { findNvidiaSmi } from './gpu';
import type { WorkerCommand, WorkerSample } from './sampler-worker';

let worker: Worker | undefined;
let nextSession = 1;

/** The process's one sampling thread, started on first use; unref'd, so it never keeps the process alive. */
function sharedWorker(): Worker {
  if (worker !== undefined) return worker;
  const file = path.join(__dirname, `sampler-worker${path.extname(__filename)}`);
  const started = new Worker(file, {
    // Under tsx (tests from source) the worker needs the same loader.
    execArgv: file.endsWith('.ts') ? ['--import', 'tsx'] : [],
    resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  started.unref();
  started.on('error', (error) => {
    console.warn(`tracklab: the system metrics thread failed: ${error.message}. Runs started from now on start a new one.`);
    if (worker === started) worker = undefined;
  });
  started.on('exit', () => { if (worker === started) worker = undefined; });
  worker = started;
  return started;
}

export const SYSTEM_PREFIX = 'system/';
export const DEFAULT_INTERVAL_MS = 10_000;

export interface SamplerOptions {
  /** Time between samples; default 10 s. */
  readonly intervalMs?: number;
  /** nvidia-smi to run; default: the one on PATH, if any. `false` turns GPU metrics off. */
  readonly nvidiaSmi?: string | false;
}

/** Where samples go: the step is the sample's index (0, 1, 2, …), as MLflow logs them. */
export type SampleSink = (metrics: Readonly<Record<string, number>>, step: number, timestamp: number) => void;

export interface Sampler {
  /** Logs the samples still queued, then stops sampling for this run (the shared thread stays, idle). */
  stop(): void;
  /** Samples logged so far. */
  readonly samples: number;
}

const MB = 1e6;
const LAG_RESOLUTION_MS = 50;

/**
 * Starts sampling into `sink`; returns at once.
 * @example const sampler = startSampler((m, step, t) => client.logMetrics(runId, m, step, t)); ... sampler.stop();
 */
export function startSampler(sink: SampleSink, options: SamplerOptions = {}): Sampler {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const nvidiaSmi = options.nvidiaSmi === false ? undefined : options.nvidiaSmi ?? findNvidiaSmi();
  let stopped = false;
  let step = 0;
  let warned = false;
  let lag: IntervalHistogram | undefined;
  let lagReadAt = Date.now();
  try {
    // Native histogram of the main thread's event-loop delay, sampled every 50 ms by a libuv timer (20 per second would cost the training more).
    lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
  } catch {
    lag = undefined;
  }
  const { port1, port2 } = new MessageChannel();
  const id = nextSession++;
  const worker = sharedWorker();
  worker.postMessage({ type: 'start', id, intervalMs, nvidiaSmi, port: port2 } satisfies WorkerCommand, [port2]);

  function warn(error: unknown): void {
    if (warned) return;
    warned = true;
    console.warn(`tracklab: system metrics sampling failed and stopped: ${error instanceof Error ? error.message : String(error)}`);
  }

  function deliver(message: WorkerSample | { error: string }): void {
    if (stopped && !draining) return;
    if ('error' in message) {
      warn(message.error);
      return;
    }
    const m: Record<string, number> = {};
    for (const [k, v] of Object.entries(message.metrics)) m[`${SYSTEM_PREFIX}${k}`] = v;
    const memory = process.memoryUsage();
    m[`${SYSTEM_PREFIX}process_heap_used_megabytes`] = Math.round((memory.heapUsed / MB) * 10) / 10;
    m[`${SYSTEM_PREFIX}process_heap_total_megabytes`] = Math.round((memory.heapTotal / MB) * 10) / 10;
    if (lag && lag.count > 0) {
      m[`${SYSTEM_PREFIX}event_loop_lag_milliseconds`] = Math.round(lag.mean / 1e3) / 1e3;
      m[`${SYSTEM_PREFIX}event_loop_lag_max_milliseconds`] = Math.round(lag.max / 1e3) / 1e3;
      lag.reset();
      lagReadAt = Date.now();
    } else if (lag) {
      // The delay timer never fired since the last reading: the loop was held the whole time (a training loop
      // that never yields, whose samples are logged when the run ends). It was held at least this long when sampled.
      const held = message.timestamp - lagReadAt - LAG_RESOLUTION_MS;
      if (held > 0) {
        m[`${SYSTEM_PREFIX}event_loop_lag_milliseconds`] = held;
        m[`${SYSTEM_PREFIX}event_loop_lag_max_milliseconds`] = held;
      }
    }
    sink(m, step++, message.timestamp);
  }

  let draining = false;
  port1.on('message', deliver);
  port1.unref();

  return {
    stop() {
      if (stopped) return;
      draining = true;
      for (let msg = receiveMessageOnPort(port1); msg !== undefined; msg = receiveMessageOnPort(port1)) deliver(msg.message as WorkerSample);
      draining = false;
      stopped = true;
      port1.close();
      worker.postMessage({ type: 'stop', id } satisfies WorkerCommand);
      lag?.disable();
    },
    get samples() {
      return step;
    },
  };
}
