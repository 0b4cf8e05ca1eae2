/**
 * The fluent API: module-level functions over a stack of active runs, for
 * scripts and notebooks. Each is a thin wrapper; the documented operation
 * lives on ActiveRun or TrackingClient.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactEntry } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { getClient } from '../config';
import { validateOptionNames, type OptionNames } from '../option-names';
import { ActiveRun } from './active-run';
import type { CreateRunOptions, TrackingClient } from './client';
import { CREATE_RUN_OPTIONS } from './run-input';
import type { EndStatus } from './lifecycle';
import { defaultExperiment } from './settings';
import { attachSampler, systemMetricsFor, type SystemMetricsOption } from '../system-metrics/run-sampler';

export interface StartRunOptions extends Omit<CreateRunOptions, 'parent'> {
  /** Nest under a run: an ActiveRun, a run id, or `true` for the current active run. */
  readonly parent?: ActiveRun | string | true;
  /** Store folder (or tracking URI) for this run; default: the configured one. */
  readonly home?: string;
  /**
   * Sample CPU, memory, event-loop lag, disk, network (and GPU with
   * nvidia-smi) as `system/*` metrics until the run ends: true, or
   * `{ intervalMs }` (default 10 s). Default: autolog({ systemMetrics }),
   * else TRACKLAB_SYSTEM_METRICS=1.
   */
  readonly systemMetrics?: SystemMetricsOption;
  /** The client to log with (its store); default: `getClient(home)`. */
  readonly client?: TrackingClient;
}

const START_RUN_OPTIONS: OptionNames<StartRunOptions> = { ...CREATE_RUN_OPTIONS, home: true, systemMetrics: true, client: true };

/** Called with each run startRun() makes active; see onRunStart. */
export type RunStartListener = (run: ActiveRun) => void;

const stack: ActiveRun[] = [];
/** The run startRun() made last in this process, ended or not. */
let lastStarted: ActiveRun | undefined;
let implicitProvider: (() => ActiveRun) | undefined;
const startListeners = new Set<RunStartListener>();
let startListenerWarned = false;

function forget(run: ActiveRun): void {
  const at = stack.lastIndexOf(run);
  if (at >= 0) stack.splice(at, 1);
}

const stackHooks = { onEnd: forget };

/**
 * Starts a run and makes it the active one; returns at once (the store write
 * follows in order). Starting while another run is active stacks the new run
 * on top; pass `parent: true` to nest it under the current one.
 * @example const run = tracklab.startRun({ experiment: 'mnist', params: { lr: 0.01 } });
 */
export function startRun(options: StartRunOptions = {}): ActiveRun {
  validateOptionNames('startRun()', options, START_RUN_OPTIONS);
  const parent = options.parent;
  let parentId: string | undefined;
  if (parent === true) {
    const top = activeRun();
    if (top === undefined) throw new TracklabError('INVALID_STATE', msg.parentUnknown());
    parentId = top.id;
  } else if (parent instanceof ActiveRun) {
    parentId = parent.id;
  } else {
    parentId = parent;
  }
  // `home`, `client` and `systemMetrics` ride along unread: prepareRun takes only the run's own fields.
  const sampling = systemMetricsFor(options.systemMetrics);
  const run = new ActiveRun(options.client ?? getClient(options.home), { ...options, parent: parentId }, stackHooks);
  stack.push(run);
  lastStarted = run;
  if (sampling) attachSampler(run, sampling);
  if (startListeners.size > 0) notifyStart(run);
  return run;
}

/**
 * The run a notebook user means by "the run I just trained": the active run,
 * else the one startRun() (or autolog) made last in this process.
 */
export function latestRun(): ActiveRun | undefined {
  return activeRun() ?? lastStarted;
}

/**
 * The experiment views use when none is named: the latest run's (see
 * latestRun), else the default one (configure({ experiment }),
 * TRACKLAB_EXPERIMENT, "Default"). An id when a run names it, else a name.
 * Pass a client to ignore a latest run logged to another store.
 * @example await tracklab.compare(); // compares the runs of currentExperiment()
 */
export function currentExperiment(store?: { readonly home: string }): string {
  const latest = latestRun();
  const here = latest !== undefined && (store === undefined || latest.client.home === store.home);
  return (here ? latest.experimentId : undefined) ?? defaultExperiment();
}

function notifyStart(run: ActiveRun): void {
  for (const listener of [...startListeners]) {
    try {
      listener(run);
    } catch (err) {
      // A listener (notebook capture, a user's hook) must never stop the run from starting.
      if (!startListenerWarned) {
        startListenerWarned = true;
        console.warn(msg.listenerFailed(err instanceof Error ? err.message : String(err)));
      }
    }
  }
}

/**
 * Calls `listener` synchronously each time startRun() (or withRun(), or a
 * log() that opens a run through autolog) has made a new run the active one,
 * before startRun returns. Runs built with `new ActiveRun(...)` are not seen.
 * Returns the function that removes the listener. Listener errors are
 * swallowed with one warning.
 * @example const off = onRunStart((run) => run.setTag('team', 'vision'));
 */
export function onRunStart(listener: RunStartListener): () => void {
  if (typeof listener !== 'function') throw new TracklabError('INVALID_PARAMETER_VALUE', 'onRunStart() needs a function, e.g. onRunStart((run) => { ... }).');
  startListeners.add(listener);
  return () => { startListeners.delete(listener); };
}

/** The innermost active run, if any. */
export function activeRun(): ActiveRun | undefined {
  return stack[stack.length - 1];
}

/** Ends the innermost active run (no-op without one). @example await tracklab.endRun(); */
export async function endRun(status: EndStatus = 'FINISHED', message?: string): Promise<void> {
  await activeRun()?.end(status, message);
}

/**
 * Runs `fn` inside a new run: FINISHED when it returns, FAILED with the error
 * message when it throws (the error is rethrown).
 * @example const acc = await tracklab.withRun({ params: { lr } }, async (run) => train(run));
 */
export async function withRun<T>(fn: (run: ActiveRun) => T | Promise<T>): Promise<T>;
export async function withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => T | Promise<T>): Promise<T>;
export async function withRun<T>(
  a: StartRunOptions | ((run: ActiveRun) => T | Promise<T>),
  b?: (run: ActiveRun) => T | Promise<T>,
): Promise<T> {
  const fn = typeof a === 'function' ? a : b;
  if (typeof fn !== 'function') throw new TracklabError('INVALID_PARAMETER_VALUE', 'withRun() needs a function to run, e.g. withRun(async (run) => { ... }).');
  const run = startRun(typeof a === 'function' ? {} : a);
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await run.end('FAILED', message).catch(() => undefined);
    throw err;
  }
  await run.end('FINISHED');
  return result;
}

/**
 * Lets the notebook auto-capture supply a run when `log()` is called with no
 * active run. Pass undefined to remove it.
 */
export function setImplicitRunProvider(provider: (() => ActiveRun) | undefined): void {
  implicitProvider = provider;
}

/**
 * The run `log()` would write to: the innermost active run, else the one a
 * notebook's autolog opens for the running cell; undefined when neither.
 */
export function currentRun(): ActiveRun | undefined {
  const run = activeRun();
  if (run !== undefined || implicitProvider === undefined) return run;
  try {
    return implicitProvider();
  } catch {
    return undefined;
  }
}

function current(): ActiveRun {
  const run = activeRun() ?? implicitProvider?.();
  if (run === undefined) throw new TracklabError('INVALID_STATE', msg.noActiveRun());
  return run;
}

/** See ActiveRun.log. @example tracklab.log({ loss }, step); */
export function log(metrics: Readonly<Record<string, number>>, step?: number): void {
  current().log(metrics, step);
}

/** See ActiveRun.logMetric. */
export function logMetric(key: string, value: number, step?: number): void {
  current().logMetric(key, value, step);
}

/** See ActiveRun.logParam. */
export function logParam(key: string, value: unknown): void {
  current().logParam(key, value);
}

/** See ActiveRun.logParams. */
export function logParams(params: Readonly<Record<string, unknown>>): void {
  current().logParams(params);
}

/** See ActiveRun.setTag. */
export function setTag(key: string, value: string): void {
  current().setTag(key, value);
}

/** See ActiveRun.setTags. */
export function setTags(tags: Readonly<Record<string, unknown>>): void {
  current().setTags(tags);
}

/** See ActiveRun.logArtifact. */
export function logArtifact(source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
  return current().logArtifact(source, artifactPath);
}
