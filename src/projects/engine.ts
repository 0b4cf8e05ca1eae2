/**
 * The contract between `executeNotebook` (execute-notebook.ts), which picks
 * an engine, and the engines (native-engine.ts, nbclient-engine.ts), which
 * run a prepared notebook: both sides import this file, not each other.
 */
import type { CodeCell, Notebook } from './nbformat';
import type { ParameterValues } from './parameters';

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
