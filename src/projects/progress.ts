import { firstLine } from '../cell-label';
import type { CodeCell } from './nbformat';

/** Where progress goes; `process.stderr` has this shape. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressDisplay {
  /** Matches `ExecuteNotebookOptions.onProgress`: `done` cells finished of `total`, `cell` the one starting (if any). */
  update(done: number, total: number, cell?: CodeCell): void;
  /** Ends the display: on a TTY, moves past the progress line. */
  finish(summary?: string): void;
}

/** `[done/total] first line`, cut to `width` characters with an ellipsis. */
export function progressLine(done: number, total: number, cell: CodeCell | undefined, width: number): string {
  const head = `[${done}/${total}]`;
  const label = cell ? ` ${firstLine(cell.source)}` : done >= total ? ' done' : '';
  const line = head + label;
  return line.length <= width ? line : `${line.slice(0, Math.max(head.length, width - 1))}…`;
}

/**
 * One line rewritten in place on a TTY (cells done / total and the running
 * cell's first line); plain lines, one per cell, when output is a file or pipe
 * (CI logs stay readable).
 *
 * @example
 * const progress = createProgressDisplay(process.stderr);
 * const result = await executeNotebook('train.ipynb', { onProgress: progress.update });
 * progress.finish(result.ok ? 'ok' : 'failed');
 */
export function createProgressDisplay(stream: ProgressStream = process.stderr): ProgressDisplay {
  const tty = stream.isTTY === true;
  let drawn = false;
  let lastPlain = '';
  return {
    update(done, total, cell) {
      if (tty) {
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        // \r + "erase line" so a shorter line leaves no tail of the previous one.
        stream.write(`\r\x1b[2K${progressLine(done, total, cell, width)}`);
        drawn = true;
        return;
      }
      const line = progressLine(done, total, cell, 120);
      if (line !== lastPlain) stream.write(`${line}\n`);
      lastPlain = line;
    },
    finish(summary) {
      if (tty && drawn) stream.write(summary ? `\r\x1b[2K${summary}\n` : '\n');
      else if (summary) stream.write(`${summary}\n`);
      drawn = false;
    },
  };
}
