/**
 * What logTable shows under the cell: the head of the table as escaped HTML
 * with each column's Arrow type, and how many rows there are in all.
 */
import type { DisplayBundle } from './bundle';
import { tableBundle } from './chart-bundle';
import type { Cell } from './table';

export const PREVIEW_ROWS = 10;

/**
 * @example display(tablePreviewBundle('tables/samples.arrow', schema, rows, 1200));
 */
export function tablePreviewBundle(path: string, schema: readonly { name: string; type: string }[], head: readonly Readonly<Record<string, unknown>>[], numRows: number): DisplayBundle {
  return tableBundle({
    caption: `${path}: ${numRows} row(s) × ${schema.length} column(s)`,
    columns: schema.map((c) => ({ title: `${c.name} (${c.type})` })),
    rows: head.slice(0, PREVIEW_ROWS).map((row) => ({ cells: schema.map((c) => cellOf(row[c.name])) })),
    note: numRows > PREVIEW_ROWS ? `first ${Math.min(PREVIEW_ROWS, head.length)} of ${numRows} rows` : undefined,
  });
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
