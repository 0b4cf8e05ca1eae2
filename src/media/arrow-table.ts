/**
 * Tables as tracklab stores them: apache-arrow Tables, written as Arrow IPC
 * files (schema included) and as CSV. Row objects and column objects become
 * Arrow with one type per column:
 * - numbers Float64, booleans Bool, strings Utf8, bigints Int64, Dates
 *   Timestamp (ms); null/undefined are nulls;
 * - a column that mixes kinds, or holds objects or arrays, is stored as
 *   Utf8 (JSON text for objects), so nothing is lost silently.
 */
import type * as Arrow from 'apache-arrow';
import { isArrowTable } from '../datasets/table-dataset';
import { TracklabError } from '../errors';
import { isTypedArray } from '../models/tensor-data';
import { mediaMsg } from './messages';

export type TableSource = readonly Readonly<Record<string, unknown>>[] | Readonly<Record<string, ArrayLike<unknown>>> | Arrow.Table;

function arrow(): typeof Arrow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('apache-arrow') as typeof Arrow;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: string;
}

/** An Arrow Table from rows, columns or a Table (returned as is). */
export function toArrowTable(source: TableSource): Arrow.Table {
  if (isArrowTable(source)) return source;
  const columns = new Map<string, unknown[]>();
  if (Array.isArray(source)) {
    source.forEach((row, i) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.rowNotObject(i, row));
      for (const key of Object.keys(row)) if (!columns.has(key)) columns.set(key, new Array<unknown>(source.length).fill(null));
      for (const [key, value] of Object.entries(row)) (columns.get(key) as unknown[])[i] = value;
    });
  } else if (typeof source === 'object' && source !== null && Object.values(source).every((v) => Array.isArray(v) || isTypedArray(v))) {
    const lengths = new Set<number>();
    for (const [key, values] of Object.entries(source as Record<string, ArrayLike<unknown>>)) {
      columns.set(key, Array.from(values));
      lengths.add(values.length);
    }
    if (lengths.size > 1) throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.columnLengths([...lengths]));
  } else {
    throw new TracklabError('INVALID_PARAMETER_VALUE', mediaMsg.tableUnsupported(source));
  }
  return columnsToTable(columns);
}

/** Columns of plain values to an Arrow Table, one inferred type per column. */
export function columnsToTable(columns: ReadonlyMap<string, readonly unknown[]>): Arrow.Table {
  const A = arrow();
  const vectors: Record<string, Arrow.Vector> = Object.create(null) as Record<string, Arrow.Vector>;
  for (const [name, values] of columns) vectors[name] = vectorOf(A, values);
  return new A.Table(vectors);
}

function vectorOf(A: typeof Arrow, values: readonly unknown[]): Arrow.Vector {
  const kinds = new Set<string>();
  for (const v of values) {
    if (v === null || v === undefined) continue;
    kinds.add(v instanceof Date ? 'date' : typeof v === 'object' ? 'object' : typeof v);
  }
  const only = kinds.size === 1 ? [...kinds][0] : kinds.size === 0 ? 'null' : 'mixed';
  const nulled = values.map((v) => (v === undefined ? null : v));
  switch (only) {
    case 'number': return A.vectorFromArray(nulled as (number | null)[], new A.Float64());
    case 'boolean': return A.vectorFromArray(nulled as (boolean | null)[], new A.Bool());
    case 'bigint': return A.vectorFromArray(nulled as (bigint | null)[], new A.Int64());
    case 'date': return A.vectorFromArray(nulled.map((v) => (v === null ? null : (v as Date).getTime())), new A.TimestampMillisecond());
    case 'string': return A.vectorFromArray(nulled as (string | null)[], new A.Utf8());
    case 'null': return A.vectorFromArray(nulled as null[], new A.Utf8());
    default: return A.vectorFromArray(nulled.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))), new A.Utf8());
  }
}

export function tableSchema(table: Arrow.Table): ColumnSchema[] {
  return table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
}

/** The Arrow IPC file format (with its schema), what pandas, polars and duckdb read. */
export function tableToIpcFile(table: Arrow.Table): Uint8Array {
  return arrow().tableToIPC(table, 'file');
}

/** Plain JS values of a table's rows (bigints as numbers when exact, else strings). */
export function tableRows(table: Arrow.Table, limit = table.numRows): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const out: Record<string, unknown>[] = [];
  const n = Math.min(limit, table.numRows);
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    names.forEach((name, c) => { row[name] = plainValue(table.getChildAt(c)?.get(i)); });
    out.push(row);
  }
  return out;
}

function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  return v;
}

/** CSV (RFC 4180): a header, then one line per row; fields with a comma, quote or line break are quoted. */
export function tableToCsv(table: Arrow.Table): string {
  const names = table.schema.fields.map((f) => f.name);
  const lines = [names.map(csvField).join(',')];
  for (const row of tableRows(table)) lines.push(names.map((n) => csvField(row[n])).join(','));
  return lines.join('\n') + '\n';
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'number' ? String(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
