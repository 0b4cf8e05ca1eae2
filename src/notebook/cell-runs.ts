/**
 * How runs end in an interactive notebook, with or without autolog():
 * - a run started in a cell that fails ends FAILED with the cell's error
 *   (KILLED when the cell was interrupted), so a later cell never logs into
 *   a run a failed cell left behind: re-running the fixed cell starts anew;
 * - runs still open when the kernel shuts down or restarts end KILLED, not
 *   FINISHED: nothing finished them.
 * A run started in a cell that succeeds stays open across cells until
 * endRun(). Headless executions (`tracklab run`) end runs their own way
 * (headless.ts): this module leaves them to it at shutdown.
 */
import { cellLabel } from '../cell-label';
import type { ActiveRun } from '../tracking/active-run';
import { onRunStart } from '../tracking/fluent';
import { endOpenRuns, setNormalExitOutcome, type EndStatus } from '../tracking/lifecycle';
import { currentCell, installCellHooks, onCellEnd, type CellEnd } from './cell-hooks';
import { headlessMode } from './headless';
import { inKernel } from './kernel';
import { onKernelShutdown } from './kernel-shutdown';
import { notebookMsg, warnOnce } from './messages';

export interface EndedRun {
  readonly run: ActiveRun;
  readonly status: EndStatus;
  readonly message: string;
}

/** Runs started while a cell ran, by the cell's hook seq, in start order. */
const startedIn = new Map<number, ActiveRun[]>();
let installed = false;

function label(cell: CellEnd): string {
  return cell.loadedHooks ? 'The cell that loaded tracklab' : cellLabel(undefined, cell.executionCount, cell.code);
}

/** How a run started in `cell` ends when the cell did not succeed. */
export function cellOutcome(cell: CellEnd): { status: EndStatus; message: string } | undefined {
  if (cell.status === 'ok') return undefined;
  if (cell.status === 'aborted') return { status: 'KILLED', message: `${label(cell)} was interrupted: ${cell.error ?? 'Interrupted'}` };
  return { status: 'FAILED', message: `${label(cell)} failed: ${cell.error ?? 'Cell failed'}` };
}

/**
 * Ends the runs started in `cell`, still open, when it failed or was
 * interrupted: nested runs first. Returns what it ended. Safe to call more
 * than once per cell.
 */
export async function endRunsOfCell(cell: CellEnd): Promise<EndedRun[]> {
  const runs = startedIn.get(cell.seq) ?? [];
  startedIn.delete(cell.seq);
  const outcome = cellOutcome(cell);
  if (!outcome) return [];
  const open = runs.filter((run) => run.running).reverse();
  const ended: EndedRun[] = [];
  for (const run of open) {
    ended.push({ run, ...outcome });
    try {
      await run.end(outcome.status, outcome.message);
    } catch (error) {
      warnOnce('cell-runs-end', notebookMsg.autologFailed('end a run of the failed cell', error));
    }
  }
  return ended;
}

function remember(run: ActiveRun): void {
  const cell = currentCell();
  if (!cell) return;
  const list = startedIn.get(cell.seq);
  if (list) list.push(run);
  else startedIn.set(cell.seq, [run]);
}

/**
 * Installs the rules above in a tslab kernel; does nothing elsewhere. Called
 * when tracklab loads, so the cell that loads it is covered too.
 */
export function installCellRuns(): void {
  if (installed || !inKernel() || !installCellHooks()) return;
  installed = true;
  onRunStart(remember);
  onCellEnd(async (cell) => { await endRunsOfCell(cell); }, { last: true });
  if (headlessMode() !== undefined) return;
  const shutdownMessage = (restart: boolean): string => (restart ? notebookMsg.kernelRestarted() : notebookMsg.kernelShutDown());
  // Whatever way the kernel process ends normally, runs left open did not finish.
  setNormalExitOutcome('KILLED', shutdownMessage(false));
  onKernelShutdown((restart) => { void endOpenRuns('KILLED', shutdownMessage(restart)); });
}
