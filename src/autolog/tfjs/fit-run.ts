/**
 * Which run a fit logs into.
 * - The host is the explicit active run, else the notebook's cell run (the
 *   run `log()` would use), else none.
 * - The first fit in a host logs into it directly, so the common "one fit
 *   per cell / per run" stays one run whose live card updates every epoch.
 * - Each later fit in the same host gets a child run of it: params are
 *   write-once, so a second fit's epochs or learning rate could not be
 *   recorded on the same run. A first fit whose params clash with params
 *   the host already holds (a notebook variable `epochs = 20` with a fit of
 *   10 epochs) also goes to a child run.
 * - With no host the fit starts its own run and ends it when the fit ends.
 */
import type { ActiveRun } from '../../tracking/active-run';
import { activeRun, startRun } from '../../tracking/fluent';

export interface FitRun {
  readonly run: ActiveRun;
  /** True when this fit started the run and must end it. */
  readonly owned: boolean;
  /** The host the run is a child of, when it is one. */
  readonly parent: ActiveRun | undefined;
}

/** Runs that already hold a fit's params and metrics. */
const hostsWithFit = new WeakSet<ActiveRun>();

function clashes(host: ActiveRun, params: Readonly<Record<string, string>>): boolean {
  const held = host.snapshot().params;
  return Object.keys(params).some((key) => held[key] !== undefined && held[key] !== params[key]);
}

function running(run: ActiveRun | undefined): ActiveRun | undefined {
  return run !== undefined && run.running ? run : undefined;
}

/**
 * Picks or starts the run for one fit and records `params` on it.
 * Throws when the store cannot start a run; the caller then trains untracked.
 */
export function openFitRun(
  params: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>>,
  implicitRun: (() => ActiveRun | undefined) | undefined,
): FitRun {
  const host = running(activeRun()) ?? running(implicitRun?.());
  if (host !== undefined && !hostsWithFit.has(host) && !clashes(host, params)) {
    hostsWithFit.add(host);
    host.logParams(params);
    host.setTags(tags);
    return { run: host, owned: false, parent: undefined };
  }
  const run = host === undefined
    ? startRun({ params, tags })
    : startRun({ parent: host, client: host.client, experiment: host.experimentId, params, tags });
  hostsWithFit.add(run);
  return { run, owned: true, parent: host };
}

/** The run each model was last fit in (the model and, for Sequential, its inner LayersModel), for evaluate(). */
const fitRuns = new WeakMap<object, ActiveRun>();

export function rememberFitRun(model: object, run: ActiveRun): void {
  fitRuns.set(model, run);
  const inner = (model as { model?: unknown }).model;
  if (inner !== null && typeof inner === 'object') fitRuns.set(inner, run);
}

export function fitRunOf(model: object): ActiveRun | undefined {
  return fitRuns.get(model);
}
