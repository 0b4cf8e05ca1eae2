/**
 * Arrow tables and arrays of row objects as datasets: schema, row count,
 * profile, and a digest of a canonical form, so the same data gives the same
 * digest however it is chunked or ordered in memory:
 * - tables: the Arrow IPC stream of one record batch, dictionaries decoded,
 *   schema metadata dropped;
 * - rows: canonical JSON (sorted keys) of each row, in order.
 */
import { createHash } from 'node:crypto';
import type * as Arrow from 'apache-arrow';
import type { ColumnProfile, DatasetColumn } from '../entities';
import { TracklabError } from '../errors';
import { canonicalJson } from '../canonical-json';
import { emptyRecord, hasOwnKey } from '../records';
import { columnStats, MAX_PROFILED_COLUMNS } from './profile';

/** What a dataset description holds besides its name and source. */
export interface DatasetFacts {
  readonly digest: string;
  readonly schema: readonly DatasetColumn[] | null;
  readonly profile: readonly ColumnProfile[] | null;
  readonly numRows: number | null;
}

/** An apache-arrow Table, recognised by shape so a second copy of apache-arrow in a notebook works too. */
export function isArrowTable(value: unknown): value is Arrow.Table {
  const t = value as Partial<Arrow.Table> | null;
  return typeof t === 'object' && t !== null && typeof t.numRows === 'number' && typeof t.getChildAt === 'function'
    && Array.isArray(t.schema?.fields) && Array.isArray(t.batches);
}

// apache-arrow is required on first use: most processes never log a dataset.
function arrow(): typeof Arrow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('apache-arrow') as typeof Arrow;
}

export function tableFacts(table: Arrow.Table): DatasetFacts {
  const A = arrow();
  const columns = emptyRecord<Arrow.Vector>();
  const schema: DatasetColumn[] = [];
  const profile: ColumnProfile[] = [];
  table.schema.fields.forEach((field, i) => {
    const column = table.getChildAt(i)!;
    const type = A.DataType.isDictionary(column.type) ? (column.type as Arrow.Dictionary).dictionary : column.type;
    const values = [...column] as unknown[];
    if (field.name in columns) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `The table has two columns named "${field.name}"; rename one before logging it as a dataset.`);
    }
    columns[field.name] = A.vectorFromArray(values, type);
    schema.push({ name: field.name, type: String(type) });
    if (i < MAX_PROFILED_COLUMNS) {
      const stats = columnStats();
      for (const v of values) stats.add(v);
      profile.push(stats.result(field.name, String(type)));
    }
  });
  const canonical = new A.Table(columns);
  const digest = createHash('sha256').update(A.tableToIPC(canonical, 'stream')).digest('hex');
  return { digest, schema, profile, numRows: table.numRows };
}

/** The JSON kind of a value, for a row dataset's schema. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  return typeof value === 'object' ? 'object' : typeof value;
}

export function rowsFacts(rows: readonly unknown[]): DatasetFacts {
  const hash = createHash('sha256');
  const kinds = new Map<string, Set<string>>();
  const stats = new Map<string, ReturnType<typeof columnStats>>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `Row ${i} of the dataset is ${row === null ? 'null' : Array.isArray(row) ? 'an array' : `a ${typeof row}`}; a row dataset is an array of objects like { x: 1, label: 'a' }.`);
    }
    hash.update(canonicalJson(row));
    hash.update('\n');
    for (const [key, value] of Object.entries(row)) {
      let seen = kinds.get(key);
      if (seen === undefined) {
        seen = new Set();
        kinds.set(key, seen);
        // Rows seen before this key lacked it: they count as nulls.
        const s = columnStats();
        for (let k = 0; k < i; k++) s.add(null);
        stats.set(key, s);
      }
      if (value !== null && value !== undefined) seen.add(kindOf(value));
    }
    for (const [key, s] of stats) s.add(hasOwnKey(row, key) ? (row as Record<string, unknown>)[key] : undefined);
  });
  const schema: DatasetColumn[] = [...kinds].map(([name, seen]) => ({ name, type: seen.size === 0 ? 'null' : seen.size === 1 ? [...seen][0]! : [...seen].sort().join('|') }));
  const profile = schema.slice(0, MAX_PROFILED_COLUMNS).map((c) => stats.get(c.name)!.result(c.name, c.type));
  return { digest: hash.digest('hex'), schema, profile, numRows: rows.length };
}
