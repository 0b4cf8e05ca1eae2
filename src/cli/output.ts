/** How CLI commands print: aligned tables for people, `--json` for scripts. */
import { textTable } from '../views/text-table';
import type { Table } from '../views/table';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Binary output (Arrow to stdout). */
  write(bytes: Uint8Array): void;
}

/** Set once a reader closed the pipe (`tracklab ... | head`): later output to that stream is dropped. */
const closed = { stdout: false, stderr: false };

function send(name: 'stdout' | 'stderr', data: string | Uint8Array): void {
  if (!closed[name]) process[name].write(data);
}

export const processIo: Io = {
  out: (text) => send('stdout', text.endsWith('\n') ? text : text + '\n'),
  err: (text) => send('stderr', text.endsWith('\n') ? text : text + '\n'),
  write: (bytes) => send('stdout', bytes),
};

/**
 * A reader that stops early (`| head -3`) closes the pipe, and the next write
 * fails with EPIPE, emitted as an 'error' event that would crash the process
 * with a stack trace. Like other Unix tools, stop writing to that stream and
 * let the command finish (a `tracklab run` still ends its runs). Other stream
 * errors are rethrown as before.
 */
export function tolerateClosedPipes(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closed[name] = true;
    });
  }
}

/**
 * Whether stderr, where progress goes, is a terminal a person watches (and
 * `io` the process's). Commands show per-item progress only then; into a
 * file or a pipe they print at most a line per phase, so logs stay short.
 */
export function stderrIsTerminal(io: Io): boolean {
  return io === processIo && process.stderr.isTTY === true;
}

/** Columns to wrap help text to: the terminal's width, else $COLUMNS, else 80. */
export function terminalWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS);
  return Number.isFinite(columns) && columns > 0 ? Math.max(40, columns) : 80;
}

export function printTable(io: Io, table: Table): void {
  io.out(table.rows.length === 0 ? `${table.caption ? table.caption + '\n' : ''}(none)` : textTable(table, { maxCellWidth: 48 }));
}

/** JSON that keeps NaN and ±Infinity readable (JSON has no literal for them). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
}
