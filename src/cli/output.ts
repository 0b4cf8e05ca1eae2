/** How CLI commands print: aligned tables for people, `--json` for scripts. */
import { textTable } from '../views/text-table';
import type { Table } from '../views/table';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Binary output (Arrow to stdout). */
  write(bytes: Uint8Array): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  write: (bytes) => process.stdout.write(bytes),
};

export function printTable(io: Io, table: Table): void {
  io.out(table.rows.length === 0 ? `${table.caption ? table.caption + '\n' : ''}(none)` : textTable(table, { maxCellWidth: 48 }));
}

/** JSON that keeps NaN and ±Infinity readable (JSON has no literal for them). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
}
