import * as path from 'node:path';
import { TracklabError } from '../errors';
import { HEADLESS_ENV, type HeadlessMode } from '../notebook/headless';
import { runNative } from './native-engine';
import { runNbclient } from './nbclient-engine';
import { clearOutputs, parseNotebook, readNotebook, type CodeCell, type Notebook } from './nbformat';
import { injectParameters, type ParameterValues } from './parameters';

export type Engine = 'native' | 'nbclient';

export interface ExecuteNotebookOptions {
  /** `native` (default) needs only Node; `nbclient` runs `jupyter nbconvert --execute`. */
  readonly engine?: Engine;
  /** Kernel working directory; defaults to the notebook's folder (or `process.cwd()` for JSON input). */
  readonly cwd?: string;
  /** Added to the inherited environment of the kernel; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Per-cell limit; a cell running longer is interrupted and the run stops (nbclient's `timeout`). */
  readonly timeoutMs?: number;
  /** `done` cells finished of `total` code cells; `cell` is the one starting, absent at the end. */
  readonly onProgress?: (done: number, total: number, cell?: CodeCell) => void;
  /** Keep going after a failed cell (nbclient's `allow_errors`). */
  readonly allowErrors?: boolean;
  /** Papermill-style values for the cell tagged `parameters`; checked before any kernel starts. */
  readonly parameters?: ParameterValues;
  /** Aborting interrupts the running cell (SIGINT to the kernel) and stops the run. */
  readonly signal?: AbortSignal;
}

export interface FailedCell {
  /** Position in `notebook.cells` of the returned notebook (the injected cell counts). */
  readonly index: number;
  readonly id: string;
  readonly executionCount: number | null;
  readonly ename: string;
  readonly evalue: string;
}

export interface ExecuteNotebookResult {
  /** The executed notebook (nbformat 4.5). nbclient writes nothing on failure: then it is the input, unexecuted. */
  readonly notebook: Notebook;
  /** No cell failed, nothing was interrupted or timed out. */
  readonly ok: boolean;
  /** The first failed cell. */
  readonly failedCell?: FailedCell;
  /** Every failed cell (more than one only with `allowErrors`). */
  readonly failures: readonly FailedCell[];
  /** `signal` was aborted during the run. */
  readonly interrupted: boolean;
  /** A cell ran past `timeoutMs`. */
  readonly timedOut: boolean;
  readonly engine: Engine;
}

/** What both engines receive: the prepared notebook and the checked options. */
export interface EngineInput {
  readonly notebook: Notebook;
  readonly cwd: string;
  readonly options: ExecuteNotebookOptions;
}

/**
 * Runs a tslab notebook headless and returns the executed notebook. Stops at
 * the first failing cell unless `allowErrors`. A failing cell is a result
 * (`ok: false` plus `failedCell`), not an exception; bad input (a missing
 * file, a parameter of the wrong type, no Jupyter for `engine: 'nbclient'`)
 * throws a TracklabError before any kernel starts. Runs the notebook left
 * open end at the cell that stopped it: FAILED naming it, KILLED when
 * interrupted (see notebook/headless.ts).
 *
 * @example
 * const result = await executeNotebook('train.ipynb', { parameters: { lr: '0.03' } });
 * if (!result.ok) console.error(`cell ${result.failedCell?.index}: ${result.failedCell?.evalue}`);
 * writeNotebook('train.out.ipynb', result.notebook);
 */
export async function executeNotebook(source: string | Notebook | object, options: ExecuteNotebookOptions = {}): Promise<ExecuteNotebookResult> {
  const engine = options.engine ?? 'native';
  if (engine !== 'native' && engine !== 'nbclient') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown engine ${JSON.stringify(engine)}; use "native" or "nbclient".`);
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}.`);
  }
  let notebook = typeof source === 'string' ? readNotebook(source) : parseNotebook(source);
  const cwd = path.resolve(options.cwd ?? (typeof source === 'string' ? path.dirname(path.resolve(source)) : process.cwd()));
  if (options.parameters) notebook = injectParameters(notebook, options.parameters);
  notebook = clearOutputs(notebook);
  // Tells tracklab inside the kernel that a failing cell ends the execution, so it ends
  // the runs left open FAILED instead of letting the kernel's normal exit end them FINISHED.
  const mode: HeadlessMode = options.allowErrors ? 'allow-errors' : 'stop-on-error';
  const input: EngineInput = { notebook, cwd, options: { ...options, env: { ...options.env, [HEADLESS_ENV]: mode } } };
  return engine === 'native' ? runNative(input) : runNbclient(input);
}
