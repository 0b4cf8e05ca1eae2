/**
 * Finds the running tslab kernel's own modules. This is the only file that
 * knows where tslab 1.0.x keeps things:
 * - `globalThis.__tslab__` = `{ exports, require }` (executor.js): the
 *   notebook's top-level declarations live on `exports`.
 * - `tslab/dist/jupyter.js` exports `lastWriteDisplayData` (swapped at each
 *   cell start), `JupyterHandlerImpl` (whose `handleExecuteImpl` runs one
 *   cell and `handleShutdown` answers a shutdown or restart request) and
 *   `ZmqServer` (whose `publishStatus` sends busy/idle). It is looked up in
 *   `require.cache`, because a second copy of tslab elsewhere in
 *   node_modules is not the one serving the kernel.
 * - `tslab/dist/util.js` beside it exports `TaskQueue`, which runs cells in turn.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notebookMsg, warnOnce } from './messages';

/** The content of a display_data / update_display_data message. */
export interface KernelDisplayMessage {
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly transient?: { readonly display_id?: string };
}

export type WriteDisplayData = (message: KernelDisplayMessage, update: boolean) => void;

/** The parts of tslab's jupyter.js module tracklab uses. */
export interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
  readonly JupyterHandlerImpl: { prototype: Record<string, unknown> };
  /** `publishStatus(status, parent)` sends busy/idle; `this.handler` is the JupyterHandlerImpl. */
  readonly ZmqServer?: { prototype: Record<string, unknown> };
}

export interface KernelVersions {
  readonly tslab: string | null;
  readonly typescript: string | null;
  readonly node: string;
}

export interface KernelBridge {
  readonly jupyter: TslabJupyterModule;
  /** `__tslab__.exports`: the notebook's top-level names. */
  readonly exports: Record<string, unknown>;
  /** Absolute path of the kernel's `tslab/dist/jupyter.js`. */
  readonly jupyterPath: string;
  readonly versions: KernelVersions;
  /**
   * tslab's `TaskQueue` (dist/util.js), which runs cells in turn: the handler
   * calls `reset(200)` on it when a cell failed, to cancel the cells queued
   * behind it. Undefined when tslab keeps it elsewhere.
   */
  readonly taskQueue?: { prototype: Record<string, unknown> };
}

interface TslabGlobal {
  readonly exports: Record<string, unknown>;
  readonly require: unknown;
}

const JUPYTER_SUFFIX = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;

function tslabGlobal(): TslabGlobal | undefined {
  const value = (globalThis as { __tslab__?: unknown }).__tslab__;
  if (typeof value !== 'object' || value === null) return undefined;
  const exports = (value as { exports?: unknown }).exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  return value as TslabGlobal;
}

/** True when this code runs inside a tslab kernel. */
export function inKernel(): boolean {
  return tslabGlobal() !== undefined;
}

function isJupyterModule(value: unknown): value is TslabJupyterModule {
  if (typeof value !== 'object' || value === null) return false;
  const handler = (value as { JupyterHandlerImpl?: unknown }).JupyterHandlerImpl;
  if (typeof handler !== 'function') return false;
  const proto = (handler as { prototype?: unknown }).prototype;
  return typeof proto === 'object' && proto !== null &&
    typeof (proto as Record<string, unknown>).handleExecuteImpl === 'function' &&
    'lastWriteDisplayData' in value;
}

function readVersion(packageJson: string): string | null {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(packageJson, 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

function kernelVersions(jupyterPath: string): KernelVersions {
  const tslabDir = path.dirname(path.dirname(jupyterPath));
  let typescript: string | null = null;
  try {
    // tslab compiles cells with its own TypeScript fork, not the project's.
    const tsPackage = require.resolve('@tslab/typescript-for-tslab/package.json', { paths: [tslabDir] });
    typescript = readVersion(tsPackage);
  } catch {
    typescript = null;
  }
  return { tslab: readVersion(path.join(tslabDir, 'package.json')), typescript, node: process.version };
}

let cached: KernelBridge | null | undefined;

/**
 * The kernel's own modules, or undefined outside tslab or when tslab's
 * internals are not as expected (then it warns once).
 */
export function kernelBridge(): KernelBridge | undefined {
  const global = tslabGlobal();
  if (!global) return undefined;
  if (cached !== undefined) return cached ?? undefined;
  const candidates = Object.keys(require.cache).filter((key) => key.endsWith(JUPYTER_SUFFIX));
  if (candidates.length === 0) {
    warnOnce('kernel-module-missing', notebookMsg.kernelModuleMissing());
    cached = null;
    return undefined;
  }
  // Several copies can be cached (a notebook may require('tslab/dist/jupyter')
  // itself); the kernel's copy is the one whose lastWriteDisplayData is set,
  // because the kernel sets it at the start of the cell running this code.
  const loaded = candidates
    .map((key) => ({ key, mod: require.cache[key]?.exports as unknown }))
    .filter((c): c is { key: string; mod: TslabJupyterModule } => isJupyterModule(c.mod));
  const chosen = loaded.find((c) => typeof c.mod.lastWriteDisplayData === 'function') ?? loaded[0];
  if (!chosen) {
    warnOnce('kernel-shape', notebookMsg.kernelShapeUnexpected('JupyterHandlerImpl.prototype.handleExecuteImpl is missing'));
    cached = null;
    return undefined;
  }
  const util = require.cache[path.join(path.dirname(chosen.key), 'util.js')]?.exports as { TaskQueue?: unknown } | undefined;
  const taskQueue = typeof util?.TaskQueue === 'function' ? util.TaskQueue as { prototype: Record<string, unknown> } : undefined;
  cached = {
    jupyter: chosen.mod,
    exports: global.exports,
    jupyterPath: chosen.key,
    versions: kernelVersions(chosen.key),
    taskQueue,
  };
  return cached;
}
