/**
 * `autolog()`: one line at the top of a notebook turns on cell capture.
 * - A cell that logs with no active run gets its own run, opened at the
 *   first log() with the notebook's settings as params, starting when the
 *   cell started, and ended when the cell ends: FINISHED, FAILED with the error, or KILLED when interrupted.
 *   Re-running the cell opens a new run.
 * - Explicit runs (startRun ... endRun, within a cell or across cells) are
 *   used as they are: the tracking layer reports each new run (onRunStart),
 *   so it gets the notebook tags and its cell at once, and every later cell
 *   executed while it is active is recorded on it too.
 * - A live card under the cell shows the run while it is active there.
 */
import { Env } from '../env-names';
import { TracklabError } from '../errors';
import type { ActiveRun } from '../tracking/active-run';
import { activeRun, onRunStart, setImplicitRunProvider, startRun } from '../tracking/fluent';
import type { EndStatus } from '../tracking/lifecycle';
import { captureParams, declaredNames, importedNames, mutableNames } from './auto-capture';
import { currentCell, installCellHooks, onCellEnd, onCellStart, type CellEnd, type CellStart } from './cell-hooks';
import { endRunsOfCell, installCellRuns } from './cell-runs';
import { installHeadlessEnding } from './headless';
import { inKernel, kernelBridge } from './kernel';
import { notebookMsg, warnOnce } from './messages';
import { captureNamedParams } from './named-params';
import { trackRun, type TrackedRun } from './tracked-run';
import { disableTfjsAutolog, enableTfjsAutolog, type TfjsAutologOptions } from '../autolog/tfjs';
import { setSystemMetricsDefault, type SystemMetricsOption } from '../system-metrics/run-sampler';

export interface AutologOptions {
  /** Which top-level variables become params of a cell's run: 'auto' (default), only these names, or none. */
  readonly params?: 'auto' | readonly string[] | false;
  /** Show a live run card under cells where a run is active (default true). */
  readonly liveCard?: boolean;
  /** Turn autolog off again. */
  readonly disable?: boolean;
  /** TensorFlow.js: options for logging model.fit()/fitDataset(), or false to leave them alone. Default on. */
  readonly tfjs?: TfjsAutologOptions | false;
  /** Sample system metrics (system/*) on every run from now on: true or { intervalMs }. Default off (or TRACKLAB_SYSTEM_METRICS=1). */
  readonly systemMetrics?: SystemMetricsOption;
}

interface Settings {
  readonly params: 'auto' | readonly string[] | false;
  readonly liveCard: boolean;
}

/** Tags the kernel knows better than process-wide system tags (tslab compiles cells with its own TypeScript). */
const KERNEL_TAGS = new Set(['tracklab.source.type', 'tracklab.source.name', 'tracklab.version.typescript', 'tracklab.version.tslab']);

let settings: Settings | undefined;
let removers: (() => void)[] = [];
const tracked = new Map<ActiveRun, TrackedRun>();
/** Runs that already have the notebook tags. */
const tagged = new WeakSet<ActiveRun>();
/** True while implicitRun() starts its run, which it tags, attaches and shows itself. */
let openingImplicit = false;
/** The run auto-capture opened, and the cell it belongs to (undefined: opened outside any seen cell). */
let implicit: { run: ActiveRun; cell: CellStart | undefined } | undefined;
const imports = new Set<string>();
/**
 * Names last declared by a cell that ran while a run was active: results and
 * state of earlier runs (a final accuracy, trained weights), not settings of
 * the next one. A later cell that declares the name again makes it a setting.
 */
const resultNames = new Set<string>();
/** True from autolog() until the next cell starts: the autolog() cell itself is not seen by the hooks. */
let inAutologCell = false;

function validate(opts: AutologOptions): Settings {
  if (opts === null || typeof opts !== 'object') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'autolog() takes an options object like { params: "auto", liveCard: true }.');
  }
  const params = opts.params ?? 'auto';
  const validParams = params === 'auto' || params === false ||
    (Array.isArray(params) && params.every((p) => typeof p === 'string'));
  if (!validParams) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `autolog({ params }) must be "auto", false or an array of variable names, got ${JSON.stringify(params)}.`);
  }
  if (opts.liveCard !== undefined && typeof opts.liveCard !== 'boolean') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `autolog({ liveCard }) must be true or false, got ${JSON.stringify(opts.liveCard)}.`);
  }
  return { params, liveCard: opts.liveCard ?? true };
}

/** Tags that say a run came from this notebook and kernel. */
export function notebookTags(cell?: CellStart): Record<string, string> {
  const tags: Record<string, string> = {
    'tracklab.source.type': 'NOTEBOOK',
    'tracklab.notebook.kernel': 'tslab',
    'tracklab.version.node': process.versions.node,
  };
  const name = process.env.JPY_SESSION_NAME || process.env[Env.notebookPath] || process.env[Env.notebook];
  if (name) tags['tracklab.source.name'] = name.slice(0, 8000);
  const versions = kernelBridge()?.versions;
  if (versions?.tslab) tags['tracklab.version.tslab'] = versions.tslab;
  // Cells are compiled by tslab's own TypeScript, not the project's.
  if (versions?.typescript) tags['tracklab.version.typescript'] = versions.typescript;
  if (cell?.executionCount != null) tags['tracklab.source.cell'] = String(cell.executionCount);
  return tags;
}

function guard<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    warnOnce(`autolog-${what}`, notebookMsg.autologFailed(what, error));
    return undefined;
  }
}

function track(run: ActiveRun): TrackedRun {
  let t = tracked.get(run);
  if (!t) {
    t = trackRun(run, { liveCard: settings?.liveCard ?? false });
    tracked.set(run, t);
  }
  return t;
}

function paramsFor(): Record<string, string | number | boolean> {
  const mode = settings?.params ?? 'auto';
  const scope = kernelBridge()?.exports;
  if (mode === false || !scope) return {};
  if (mode !== 'auto') {
    const { params, skipped } = captureNamedParams(scope, mode);
    for (const { name, reason } of skipped) warnOnce(`autolog-named-param:${name}`, notebookMsg.namedParamSkipped(name, reason));
    return params;
  }
  const cell = currentCell();
  const exclude = new Set([...imports, ...resultNames, ...(cell ? mutableNames(cell.code) : [])]);
  return captureParams(scope, { exclude });
}

/** Supplies a run to log() when none is active: a run scoped to the running cell. */
function implicitRun(): ActiveRun {
  if (implicit && implicit.run.running) return implicit.run;
  const cell = currentCell();
  if (!cell && !inAutologCell && removers.length > 0) {
    // Background code of a finished or interrupted cell: a run opened now
    // would belong to no cell and never end with one.
    throw new TracklabError('INVALID_STATE', notebookMsg.logOutsideCell());
  }
  const tags = inKernel() ? notebookTags(cell) : {};
  const params = guard('capture params', paramsFor) ?? {};
  // The run covers the whole cell, not only the stretch after its first log().
  const startTime = cell?.startTime;
  let run: ActiveRun;
  openingImplicit = true;
  try {
    run = startRun({ params, tags, startTime });
  } catch (error) {
    // A captured value the tracking layer rejects must not stop the user's log().
    warnOnce('autolog-params-rejected', notebookMsg.autologFailed('store the captured params', error));
    run = startRun({ tags, startTime });
  } finally {
    openingImplicit = false;
  }
  if (inKernel()) tagged.add(run);
  implicit = { run, cell };
  guard('track the run', () => {
    const t = track(run);
    if (cell) t.attachCell(cell);
    t.openCard();
  });
  return run;
}

function endStatus(cell: CellEnd): { status: EndStatus; message: string | undefined } {
  if (cell.status === 'ok') return { status: 'FINISHED', message: undefined };
  if (cell.status === 'aborted') return { status: 'KILLED', message: cell.error ?? 'Interrupted' };
  return { status: 'FAILED', message: cell.error ?? 'Cell failed' };
}

/**
 * Gives an explicit run the notebook provenance it lacks, once. User tags
 * win, except the few the kernel knows better than the process does.
 */
function tagNotebook(run: ActiveRun, cell: CellStart | undefined): void {
  if (tagged.has(run)) return;
  tagged.add(run);
  const own = run.snapshot().tags;
  const missing = Object.fromEntries(Object.entries(notebookTags(cell))
    .filter(([k, v]) => (own[k] === undefined || KERNEL_TAGS.has(k)) && own[k] !== v));
  if (Object.keys(missing).length > 0) run.setTags(missing);
}

/**
 * startRun() just made `run` active: tag it, and when a cell is running,
 * record the cell on it and show its card there. A run started between
 * cells (in the autolog() cell, or by background code) is attached when
 * the next cell starts.
 */
function onRunStarted(run: ActiveRun): void {
  if (openingImplicit) return;
  const cell = currentCell();
  guard('tag the run', () => tagNotebook(run, cell));
  if (!cell) return;
  guard('track the run', () => {
    const t = track(run);
    t.attachCell(cell);
    t.openCard();
  });
}

/** Attaches the explicit active run (if any, and new to this cell) to the cell. */
function attachActive(cell: CellStart): void {
  const run = activeRun();
  if (!run || !run.running) return;
  const t = track(run);
  if (t.hasCell(cell)) return;
  guard('tag the run', () => tagNotebook(run, undefined));
  t.attachCell(cell);
}

async function endImplicit(status: EndStatus, message: string | undefined): Promise<void> {
  const open = implicit;
  implicit = undefined;
  if (!open || !open.run.running) return;
  tracked.get(open.run)?.setOutcome(status, message ?? null);
  try {
    await open.run.end(status, message);
  } catch (error) {
    warnOnce('autolog-end', notebookMsg.autologFailed('end the run', error));
  }
}

async function onStart(cell: CellStart): Promise<void> {
  inAutologCell = false;
  for (const name of importedNames(cell.code)) imports.add(name);
  for (const name of declaredNames(cell.code)) resultNames.delete(name);
  // A run opened outside a seen cell (in the autolog() cell itself, or by
  // background code between cells) ends when the next cell starts.
  if (implicit && implicit.cell === undefined) await endImplicit('FINISHED', undefined);
  guard('attach the active run', () => attachActive(cell));
}

async function onEnd(cell: CellEnd): Promise<void> {
  // A run the cell uncovered by ending an inner one was active here too.
  guard('attach the active run', () => attachActive(cell));
  const involved = [...tracked.values()].filter((t) => t.hasCell(cell));
  if (involved.length > 0) for (const name of declaredNames(cell.code)) resultNames.add(name);
  await Promise.all(involved.map((t) => t.endCell(cell)));
  if (implicit && implicit.cell?.seq === cell.seq) {
    const { status, message } = endStatus(cell);
    await endImplicit(status, message);
  }
  // Explicit runs the failed cell started end with it (cell-runs.ts); their cards show how.
  for (const ended of await endRunsOfCell(cell)) tracked.get(ended.run)?.setOutcome(ended.status, ended.message);
  await Promise.all(involved.map((t) => t.closeCard()));
  for (const [run, t] of tracked) {
    if (!run.running) {
      t.dispose();
      tracked.delete(run);
    }
  }
}

function disable(): void {
  for (const remove of removers) remove();
  removers = [];
  setImplicitRunProvider(undefined);
  disableTfjsAutolog();
  setSystemMetricsDefault(undefined);
  for (const t of tracked.values()) t.dispose();
  tracked.clear();
  settings = undefined;
}

/**
 * Turns on notebook auto-capture (call once, at the top of the notebook).
 * Later calls change the options; `{ disable: true }` turns it off.
 *
 * @example
 * import * as tracklab from 'tracklab';
 * tracklab.autolog();                        // params from top-level variables
 * tracklab.autolog({ params: ['lr', 'epochs'], liveCard: false });
 */
export function autolog(opts: AutologOptions = {}): void {
  if (opts?.disable === true) {
    disable();
    return;
  }
  const next = validate(opts);
  const first = settings === undefined;
  settings = next;
  if (opts.systemMetrics !== undefined) setSystemMetricsDefault(opts.systemMetrics);
  if (opts.tfjs === false) disableTfjsAutolog();
  else enableTfjsAutolog(opts.tfjs, { implicitRun });
  if (!first) return;
  setImplicitRunProvider(implicitRun);
  if (!inKernel()) {
    warnOnce('autolog-no-kernel', notebookMsg.autologNoKernel());
    return;
  }
  if (!installCellHooks()) return; // kernel.ts already warned
  removers = [onCellStart(onStart), onCellEnd(onEnd), onRunStart(onRunStarted)];
  inAutologCell = currentCell() === undefined;
}

// The package entry loads this module, so in a kernel the runs a failing cell started end with
// it, and a headless kernel (`tracklab run`) ends the runs a failing cell leaves open, even in
// notebooks that never call autolog(). Runs of a failing cell end first, with that cell's error.
installCellRuns();
installHeadlessEnding();
