/**
 * Attaching the sampler to runs: `startRun({ systemMetrics: true })`,
 * `autolog({ systemMetrics: true })` (every run from then on), or
 * TRACKLAB_SYSTEM_METRICS=1 (every run of the process). The interval comes
 * from the option, else TRACKLAB_SYSTEM_METRICS_INTERVAL (seconds, like
 * MLflow's MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL), else 10 s. Samples
 * go through the client's metric buffer, not the run's own log(): they
 * leave the run's step counter alone and stay off its live card. The
 * sampler stops when the run ends.
 */
import { Env } from '../env-names';
import { TracklabError } from '../errors';
import type { Sampler, SamplerOptions } from './sampler';

// Loaded when a run is sampled: worker_threads and perf_hooks stay out of a cold start.
function sampler(): typeof import('./sampler') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./sampler') as typeof import('./sampler');
}

export type SystemMetricsOption = boolean | SamplerOptions;

/** The part of an ActiveRun the sampler needs. */
export interface SampledRun {
  readonly id: string;
  readonly running: boolean;
  readonly client: { logMetrics(runId: string, metrics: Readonly<Record<string, number>>, step?: number, timestamp?: number): void };
  subscribe(listener: (event: { readonly type: string }) => void): () => void;
}

// `off` is autolog({ systemMetrics: false }): it wins over TRACKLAB_SYSTEM_METRICS=1.
const state: { default: SamplerOptions | 'off' | undefined } = { default: undefined };

/** Sets what runs that do not say get (autolog({ systemMetrics })); `false` turns it off, `undefined` leaves it to the environment. */
export function setSystemMetricsDefault(option: SystemMetricsOption | undefined): void {
  state.default = option === undefined ? undefined : resolve(option) ?? 'off';
}

function resolve(option: SystemMetricsOption): SamplerOptions | undefined {
  if (option === false) return undefined;
  if (option === true) return { intervalMs: envIntervalMs() };
  if (option === null || typeof option !== 'object') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `systemMetrics must be true, false or { intervalMs }, got ${JSON.stringify(option)}.`);
  }
  const intervalMs = option.intervalMs ?? envIntervalMs();
  if (intervalMs !== undefined && !(typeof intervalMs === 'number' && intervalMs >= 100 && Number.isFinite(intervalMs))) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `systemMetrics.intervalMs must be a number of milliseconds >= 100, got ${JSON.stringify(intervalMs)}.`);
  }
  return { ...option, intervalMs };
}

function envIntervalMs(): number | undefined {
  const raw = process.env[Env.systemMetricsInterval];
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.max(100, seconds * 1000) : undefined;
}

/** The sampler settings of a new run: its own option, else the process default, else the environment. */
export function systemMetricsFor(option: SystemMetricsOption | undefined): SamplerOptions | undefined {
  if (option !== undefined) return resolve(option);
  if (state.default !== undefined) return state.default === 'off' ? undefined : state.default;
  return /^(1|true|yes)$/i.test(process.env[Env.systemMetrics] ?? '') ? resolve(true) : undefined;
}

/** Samples the system into `run` until it ends. */
export function attachSampler(run: SampledRun, options: SamplerOptions): Sampler {
  let ending = false;
  const started = sampler().startSampler((metrics, step, timestamp) => {
    if (run.running || ending) run.client.logMetrics(run.id, metrics, step, timestamp);
  }, options);
  const off = run.subscribe((event) => {
    if (event.type !== 'status') return;
    // end() reports the status before it writes the last points: samples still queued go in with them.
    ending = true;
    started.stop();
    ending = false;
    off();
  });
  if (!run.running) started.stop();
  return started;
}
