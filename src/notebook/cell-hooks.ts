/**
 * Cell start/end events from the tslab kernel. tslab has no hook API, so
 * this wraps `JupyterHandlerImpl.prototype.handleExecuteImpl(req,
 * writeStream, writeDisplayData)` in the kernel's jupyter.js: it receives the
 * TypeScript source (`req.code`), increments `this.execCount`, and resolves
 * with an ExecutionCount `{count}` or rejects with one when the cell failed.
 * tslab prints the cell's error to stderr through `writeStream` and keeps
 * the Error itself, so the message is read back from that stream.
 *
 * Checked under nbconvert with tslab 1.0.22: a thrown error, a compile error
 * and an interrupt all reject; an interrupt shows as "Script execution was
 * interrupted by `SIGINT`" (sync code) or "Interrupted asynchronously"
 * (awaiting code, after which our SIGINT listener has fired too). Cells
 * queued within 200 ms after a failure are cancelled by tslab before this
 * method is called, so they produce no events.
 *
 * The cell running when the hooks are installed (the one that loads
 * tracklab) is reported too: it is the current cell from then on, and its
 * end comes from the signs first-cell.ts watches. Its source and execution
 * count are unknown (`loadedHooks` marks it).
 */
import { watchFirstCell } from './first-cell';
import { kernelBridge, type KernelBridge, type WriteDisplayData } from './kernel';
import { notebookMsg, warnOnce } from './messages';

export type CellStatus = 'ok' | 'error' | 'aborted';

export interface CellStart {
  /** Order of the cell among those seen by the hooks in this kernel (1-based). */
  readonly seq: number;
  /** The cell's TypeScript source, as the kernel received it. */
  readonly code: string;
  /** The execution count the kernel gives this cell. */
  readonly executionCount: number | null;
  readonly startTime: number;
  /** The cell that was running when the hooks were installed: `code` is '' and `executionCount` null, as they are unknown. */
  readonly loadedHooks?: true;
}

export interface CellEnd extends CellStart {
  readonly endTime: number;
  /** `aborted` means interrupted (SIGINT / kernel interrupt). */
  readonly status: CellStatus;
  /** The error's first lines without the stack, for `error` and `aborted`. */
  readonly error: string | null;
}

export type CellStartListener = (cell: CellStart) => void | Promise<void>;
export type CellEndListener = (cell: CellEnd) => void | Promise<void>;

type ExecuteImpl = (this: unknown, req: unknown, writeStream: unknown, writeDisplayData: unknown) => Promise<unknown>;

/**
 * Shared across copies of this module (a notebook can load tracklab from two
 * paths), so the prototype is wrapped once and every copy sees the events.
 */
interface HookState {
  original: ExecuteImpl | null;
  wrapper: ExecuteImpl | null;
  proto: Record<string, unknown> | null;
  readonly starts: Set<CellStartListener>;
  readonly ends: Set<CellEndListener>;
  /** End listeners that act on what the others left (see onCellEnd's `last`). */
  readonly lastEnds: Set<CellEndListener>;
  seq: number;
  current: CellStart | undefined;
  sigints: number;
  sigintListener: (() => void) | null;
  /** The cell that was running at install time, until it ends. */
  first: FirstCell | undefined;
  /** Its end listeners, awaited before the next cell starts. */
  firstEnding: Promise<void> | undefined;
}

interface FirstCell {
  readonly cell: CellStart;
  /** The last text it wrote to stderr (tslab prints a failed cell's error there). */
  stderr: string;
  readonly sigints: number;
  stopWatching: () => void;
}

const STATE_KEY = Symbol.for('tracklab.notebook.cellHooks');
/** How long the kernel waits for end listeners (store writes, final card) before replying. */
const END_LISTENER_BUDGET_MS = 10_000;
const STDERR_KEEP = 64 * 1024;

function state(): HookState {
  const holder = globalThis as unknown as Record<symbol, HookState | undefined>;
  let s = holder[STATE_KEY];
  if (!s) {
    s = {
      original: null, wrapper: null, proto: null, starts: new Set(), ends: new Set(), lastEnds: new Set(),
      seq: 0, current: undefined, sigints: 0, sigintListener: null, first: undefined, firstEnding: undefined,
    };
    holder[STATE_KEY] = s;
  }
  return s;
}

const INTERRUPT_PATTERNS = [/Script execution was interrupted by `SIGINT`/, /^Error: Interrupted asynchronously/m];

/**
 * The readable part of what tslab printed for a failed cell: Node prefixes
 * errors thrown from code it can show (vm code, JSON.parse input) with the source line and a caret, and appends
 * the stack and extra properties. Keep the "Name: message" lines only.
 */
export function errorSummary(stderr: string): string | null {
  let text = stderr.replace(/\r\n/g, '\n');
  // The file is evalmachine.<anonymous> for cell code, <anonymous_script> for JSON.parse, or a module path.
  const caret = text.match(/^[^\n]*:\d+\n[^\n]*\n\s*\^+\n\n/);
  if (caret) text = text.slice(caret[0].length);
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s+at\s/.test(line)) break;
    lines.push(line);
  }
  const summary = lines.join('\n').trim();
  if (!summary) return null;
  return summary.length > 2000 ? `${summary.slice(0, 2000)}…` : summary;
}

async function runListeners<T>(listeners: ReadonlySet<(value: T) => void | Promise<void>>, value: T): Promise<void> {
  for (const listener of [...listeners]) {
    try {
      await listener(value);
    } catch (error) {
      warnOnce('hook-listener', notebookMsg.hookListenerFailed(error));
    }
  }
}

function statusOf(stderr: string, interrupted: boolean): CellStatus {
  return interrupted || INTERRUPT_PATTERNS.some((p) => p.test(stderr)) ? 'aborted' : 'error';
}

function endListeners(s: HookState, end: CellEnd): Promise<void> {
  return withBudget(runListeners(s.ends, end).then(() => runListeners(s.lastEnds, end)));
}

/** Makes the cell running now (the one installing the hooks) the current cell, and watches for its end. */
function adoptRunningCell(s: HookState, bridge: KernelBridge): void {
  // Before any cell started, this is not cell code (a script, or a timer between cells).
  if (bridge.jupyter.lastWriteDisplayData === null) return;
  const cell: CellStart = { seq: ++s.seq, code: '', executionCount: null, startTime: Date.now(), loadedHooks: true };
  const first: FirstCell = { cell, stderr: '', sigints: s.sigints, stopWatching: () => undefined };
  s.first = first;
  s.current = cell;
  const write = process.stderr.write;
  process.stderr.write = function teeFirstCell(this: unknown, chunk: unknown, ...rest: unknown[]) {
    if (s.first === first) first.stderr = (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')).slice(0, STDERR_KEEP);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stderr.write;
  first.stopWatching = watchFirstCell(bridge, () => s.first === first, (failed) => endFirstCell(s, failed));
}

/** Reports the end of the cell adopted at install time (once); its listeners run in the background. */
function endFirstCell(s: HookState, failed: boolean): void {
  const first = s.first;
  if (!first) return;
  s.first = undefined;
  first.stopWatching();
  if (s.current === first.cell) s.current = undefined;
  const status = failed ? statusOf(first.stderr, s.sigints !== first.sigints) : 'ok';
  const end: CellEnd = {
    ...first.cell,
    endTime: Date.now(),
    status,
    error: status === 'ok' ? null : (errorSummary(first.stderr) ?? (status === 'aborted' ? 'Interrupted' : 'Cell failed')),
  };
  s.firstEnding = endListeners(s, end);
}

function withBudget(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, END_LISTENER_BUDGET_MS);
    timer.unref?.();
  });
  return Promise.race([work, budget]).finally(() => clearTimeout(timer));
}

/**
 * Points stdout/stderr and display at the starting cell before start
 * listeners run, as tslab itself does first thing in handleExecuteImpl, so
 * anything a listener prints lands under this cell and not the previous one.
 */
function routeOutputToCell(handler: unknown, writeStream: unknown, writeDisplayData: unknown): void {
  const create = (handler as { createWriteToIopub?: unknown } | null)?.createWriteToIopub;
  if (typeof create !== 'function' || typeof writeStream !== 'function') return;
  const bridge = kernelBridge();
  if (!bridge || typeof writeDisplayData !== 'function') return;
  process.stdout.write = create.call(handler, 'stdout', writeStream) as typeof process.stdout.write;
  process.stderr.write = create.call(handler, 'stderr', writeStream) as typeof process.stderr.write;
  bridge.jupyter.lastWriteDisplayData = writeDisplayData as WriteDisplayData;
}

function makeWrapper(s: HookState, original: ExecuteImpl): ExecuteImpl {
  return async function trackedExecuteImpl(this: unknown, req, writeStream, writeDisplayData) {
    // The cell adopted at install time ended, and fine: a failure would have cancelled this one.
    endFirstCell(s, false);
    if (s.firstEnding) {
      const ending = s.firstEnding;
      s.firstEnding = undefined;
      await ending;
    }
    const code = typeof (req as { code?: unknown } | null)?.code === 'string' ? (req as { code: string }).code : '';
    const count = (this as { execCount?: unknown } | null)?.execCount;
    const start: CellStart = {
      seq: ++s.seq,
      code,
      executionCount: typeof count === 'number' ? count + 1 : null,
      startTime: Date.now(),
    };
    // tslab prints a failed cell's error with one console.error call, so the
    // last stderr write holds it (earlier writes are the cell's own output).
    let stderr = '';
    const tee = typeof writeStream === 'function'
      ? (name: unknown, text: unknown, ...rest: unknown[]) => {
          if (name === 'stderr' && typeof text === 'string') stderr = text.slice(0, STDERR_KEEP);
          return (writeStream as (...args: unknown[]) => unknown)(name, text, ...rest);
        }
      : writeStream;
    const sigintsBefore = s.sigints;
    routeOutputToCell(this, tee, writeDisplayData);
    s.current = start;
    await runListeners(s.starts, start);
    let status: CellStatus = 'ok';
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await original.call(this, req, tee, writeDisplayData) };
    } catch (error) {
      outcome = { ok: false, error };
      status = statusOf(stderr, s.sigints !== sigintsBefore);
    }
    const thrownCount = !outcome.ok ? (outcome.error as { count?: unknown } | null)?.count : undefined;
    const endCount = outcome.ok ? (outcome.value as { count?: unknown } | null)?.count : thrownCount;
    const end: CellEnd = {
      ...start,
      executionCount: typeof endCount === 'number' ? endCount : start.executionCount,
      endTime: Date.now(),
      status,
      error: status === 'ok' ? null : (errorSummary(stderr) ?? (status === 'aborted' ? 'Interrupted' : 'Cell failed')),
    };
    s.current = undefined;
    // The kernel replies to Jupyter once this resolves, so run ends and final
    // cards are written before the next cell (or kernel shutdown).
    await endListeners(s, end);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
}

/**
 * Wraps the kernel's cell executor once. Returns false (after warning once)
 * outside tslab or when its internals are not as expected. Safe to call
 * again; a second copy of tracklab reuses the same wrapper.
 */
export function installCellHooks(): boolean {
  const s = state();
  const bridge = kernelBridge();
  if (!bridge) return false;
  const proto = bridge.jupyter.JupyterHandlerImpl.prototype;
  const currentImpl = proto.handleExecuteImpl;
  if (s.wrapper && currentImpl === s.wrapper) return true;
  if (typeof currentImpl !== 'function') return false;
  s.original = currentImpl as ExecuteImpl;
  s.wrapper = makeWrapper(s, s.original);
  s.proto = proto;
  proto.handleExecuteImpl = s.wrapper;
  if (!s.sigintListener) {
    const listener = (): void => { s.sigints++; };
    s.sigintListener = listener;
    // Not from inside the cell that loads tracklab: tslab runs a cell's script with vm's breakOnSigint, and a
    // SIGINT listener added while that script runs leaves Node's default action (exit) in place once it
    // returns, so the next interrupt killed the kernel (tslab 1.0.22, Node 20). Added from a macrotask, after
    // the script, an interrupt only interrupts.
    setImmediate(() => { if (s.sigintListener === listener) process.on('SIGINT', listener); });
  }
  if (s.seq === 0) adoptRunningCell(s, bridge);
  return true;
}

/** Restores the kernel's original executor and drops every listener. */
export function uninstallCellHooks(): void {
  const s = state();
  if (s.proto && s.wrapper && s.proto.handleExecuteImpl === s.wrapper && s.original) {
    s.proto.handleExecuteImpl = s.original;
  }
  if (s.sigintListener) process.off('SIGINT', s.sigintListener);
  s.sigintListener = null;
  s.first?.stopWatching();
  s.first = undefined;
  s.wrapper = null;
  s.original = null;
  s.proto = null;
  s.starts.clear();
  s.ends.clear();
  s.lastEnds.clear();
}

/** True while the kernel executor is wrapped. */
export function cellHooksInstalled(): boolean {
  const s = state();
  return s.wrapper !== null && s.proto !== null && s.proto.handleExecuteImpl === s.wrapper;
}

/** Calls `fn` when a cell starts; returns a function that removes it. */
export function onCellStart(fn: CellStartListener): () => void {
  const s = state();
  s.starts.add(fn);
  return () => { s.starts.delete(fn); };
}

/**
 * Calls `fn` when a cell ends (awaited before the kernel replies); returns a
 * remover. With `last`, `fn` runs after every listener added without it.
 */
export function onCellEnd(fn: CellEndListener, options: { readonly last?: boolean } = {}): () => void {
  const s = state();
  const set = options.last ? s.lastEnds : s.ends;
  set.add(fn);
  return () => { set.delete(fn); };
}

/** The cell being executed now, when the hooks saw it start. */
export function currentCell(): CellStart | undefined {
  return state().current;
}
