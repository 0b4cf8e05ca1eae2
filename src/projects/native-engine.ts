import { setTimeout as sleep } from 'node:timers/promises';
import { isTracklabError } from '../errors';
import { describeCellError } from './cell-error';
import type { EngineInput, ExecuteNotebookResult, FailedCell } from './engine';
import { startKernel, type ExecuteOptions, type ExecuteOutcome, type KernelConnection, type KernelInfoReply } from './kernel-connection';
import { isCodeCell, runnableCells, TSLAB_KERNELSPEC, type Cell, type CodeCell, type Notebook } from './nbformat';
import { createOutputRecorder } from './output-recorder';

// tslab cancels requests that reach it within 200 ms after a failed cell
// (its TaskQueue.reset(200)); such a request never ran, so sending it again is safe.
const ABORT_RETRY_DELAY_MS = 250;
const ABORT_RETRIES = 8;
const INTERRUPT_GRACE_MS = 5000;

/** Notebook metadata after a run: the tslab kernelspec and the kernel's own language_info. */
export function withKernelMetadata(nb: Notebook, info: KernelInfoReply | undefined): Notebook {
  const languageInfo = info?.language_info ?? { name: 'typescript' };
  return { ...nb, metadata: { ...nb.metadata, kernelspec: TSLAB_KERNELSPEC, language_info: languageInfo } };
}

async function executeWithRetry(kernel: KernelConnection, code: string, options: ExecuteOptions): Promise<ExecuteOutcome> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await kernel.execute(code, options);
    if (outcome.reply.status !== 'abort' || attempt >= ABORT_RETRIES || outcome.interrupted) return outcome;
    await sleep(ABORT_RETRY_DELAY_MS);
  }
}

/** The native engine: tracklab's own Jupyter client talking to `tslab kernel` over ZeroMQ. */
export async function runNative({ notebook, cwd, options }: EngineInput): Promise<ExecuteNotebookResult> {
  const order = runnableCells(notebook);
  const total = order.length;
  const cells: Cell[] = [...notebook.cells];
  const failures: FailedCell[] = [];
  let interrupted = false;
  let timedOut = false;
  const finish = (info: KernelInfoReply | undefined): ExecuteNotebookResult => ({
    notebook: withKernelMetadata({ ...notebook, cells }, info),
    ok: failures.length === 0 && !interrupted && !timedOut,
    ...(failures[0] ? { failedCell: failures[0] } : {}),
    failures,
    interrupted,
    timedOut,
    engine: 'native',
  });
  if (options.signal?.aborted) {
    interrupted = true;
    return finish(undefined);
  }

  const kernel = await startKernel({ cwd, env: options.env });
  const recorder = createOutputRecorder();
  let running = false;
  let killTimer: NodeJS.Timeout | undefined;
  // SIGINT cannot break every cell (a busy loop inside a timer callback runs
  // outside tslab's breakOnSigint), so a cell that ignores it loses its kernel.
  const interruptCell = (): void => {
    kernel.interrupt();
    killTimer ??= setTimeout(() => void kernel.shutdown({ timeoutMs: 0 }), INTERRUPT_GRACE_MS);
  };
  const onAbort = (): void => {
    interrupted = true;
    if (running) interruptCell();
  };
  options.signal?.addEventListener('abort', onAbort);
  let info: KernelInfoReply | undefined;
  try {
    info = await kernel.kernelInfo();
    for (let done = 0; done < total && !interrupted; done++) {
      const index = order[done]!;
      const cell = cells[index] as CodeCell;
      options.onProgress?.(done, total, cell);
      let timer: NodeJS.Timeout | undefined;
      let cellTimedOut = false;
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cellTimedOut = true;
          interruptCell();
        }, options.timeoutMs);
      }
      running = true;
      let outcome: ExecuteOutcome | undefined;
      let died: Error | undefined;
      try {
        outcome = await executeWithRetry(kernel, cell.source, { onOutput: (m) => recorder.record(index, m) });
      } catch (error) {
        if (!isTracklabError(error)) throw error;
        died = error;
      } finally {
        running = false;
        clearTimeout(timer);
        clearTimeout(killTimer);
        killTimer = undefined;
      }
      // Display updates can rewrite outputs of earlier cells, so refresh them all.
      for (const i of recorder.cellIndexes()) {
        const c = cells[i];
        if (c && isCodeCell(c)) cells[i] = { ...c, outputs: recorder.outputs(i) };
      }
      const count = outcome?.reply.execution_count ?? null;
      cells[index] = { ...(cells[index] as CodeCell), execution_count: count };
      if (outcome?.reply.status === 'ok') continue;
      const described = cellTimedOut
        ? { ename: 'CellTimeoutError', evalue: `The cell ran longer than ${options.timeoutMs} ms and was interrupted${died ? '; it ignored the interrupt, so the kernel was stopped' : ''}.` }
        : died
          ? { ename: 'DeadKernelError', evalue: died.message }
          : outcome?.reply.status === 'abort'
            ? { ename: 'CellAbortedError', evalue: 'The kernel kept cancelling this cell after an earlier failure.' }
            : describeCellError(outcome!.reply, recorder.outputs(index));
      failures.push({ index, id: cell.id, executionCount: count, ...described });
      timedOut ||= cellTimedOut;
      if (died || cellTimedOut || !options.allowErrors) break;
    }
    if (!interrupted && !timedOut && (failures.length === 0 || options.allowErrors)) options.onProgress?.(total, total);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await kernel.shutdown();
  }
  return finish(info);
}
