/**
 * A notebook executed headless (`tracklab run`, `executeNotebook`) stops at a
 * failing or interrupted cell and its kernel is shut down, which is a normal
 * exit: without this, the runs the notebook left open would end FINISHED.
 * The engine says the execution is headless in the kernel's environment, so
 * the kernel knows from its first cell, whichever engine started it, and
 * nothing changes in an interactive notebook (where a failing cell ends
 * nothing: the user fixes it and runs it again).
 */
import { cellLabel } from '../cell-label';
import { Env, type HeadlessMode } from '../env-names';
import { endOpenRuns, type EndStatus } from '../tracking/lifecycle';
import { installCellHooks, onCellEnd, type CellEnd } from './cell-hooks';
import { inKernel } from './kernel';

export type { HeadlessMode };

/** The mode this process was started in, if it is a headless kernel. */
export function headlessMode(env: NodeJS.ProcessEnv = process.env): HeadlessMode | undefined {
  const value = env[Env.headless];
  return value === 'stop-on-error' || value === 'allow-errors' ? value : undefined;
}

/**
 * How open runs end when `cell` is the last cell of a headless execution, or
 * undefined when execution goes on. An interrupt (Ctrl-C, a cell time limit)
 * always stops it.
 */
export function stoppedAt(cell: CellEnd, mode: HeadlessMode): { status: EndStatus; message: string } | undefined {
  const label = cellLabel(undefined, cell.executionCount, cell.code);
  if (cell.status === 'aborted') return { status: 'KILLED', message: `${label} was interrupted; the notebook stopped there.` };
  if (cell.status === 'error' && mode === 'stop-on-error') return { status: 'FAILED', message: `${label} failed: ${cell.error ?? 'Cell failed'}` };
  return undefined;
}

let installed = false;

/**
 * In a headless kernel, ends every run still open when a cell stops the
 * execution, before the kernel replies (so before the engine shuts it down).
 * Does nothing elsewhere. Called when tracklab loads, so cells after the one
 * that imports tracklab are seen, with or without autolog().
 */
export function installHeadlessEnding(): void {
  if (installed) return;
  const mode = headlessMode();
  if (mode === undefined || !inKernel() || !installCellHooks()) return;
  installed = true;
  // Last: autolog ends a cell's own run first, as in an interactive notebook, and this ends only what is left open.
  onCellEnd(async (cell: CellEnd) => {
    const outcome = stoppedAt(cell, mode);
    if (outcome) await endOpenRuns(outcome.status, outcome.message);
  }, { last: true });
}
