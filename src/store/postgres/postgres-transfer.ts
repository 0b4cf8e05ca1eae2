/**
 * Whole-store export and import for `migrate-store` (../store-transfer.ts).
 * Export reads each table through a cursor in one snapshot; import writes
 * every table in one transaction, each batch one statement of unnest()ed
 * column arrays (metric blocks one row each, so their bytes go binary).
 */
import { TracklabError } from '../../errors';
import {
  type PortableRow, type RowFilter, type StoreTransfer, TRANSFER_COLUMNS, TRANSFER_KEYS, TRANSFER_TABLES, type TransferTable, type WriteRows,
} from '../store-transfer';
import type { Connection, Query } from './connection';
import { f8 } from './rows';

const BIGINT = new Set(['creation_time', 'last_update_time', 'deleted_time', 'start_time', 'end_time', 'heartbeat_time', 'first_step',
  'last_step', 'last_timestamp', 'count', 'size', 'created_time', 'num_rows', 'last_updated_time', 'model_id']);
const INTEGER = new Set(['owner_pid', 'n', 'execution_count', 'version', 'next_version']);
const FLOAT = new Set(['last_value', 'min_value', 'max_value']);

function sqlType(table: TransferTable, column: string): string {
  if (column === 'seq') return table === 'cells' ? 'integer' : 'bigint';
  if (column === 'data') return 'bytea';
  return BIGINT.has(column) ? 'bigint' : INTEGER.has(column) ? 'integer' : FLOAT.has(column) ? 'float8' : 'text';
}

/** A column of the table by its portable name (checked, as it becomes SQL). */
function column(table: TransferTable, name: string): string {
  if (!TRANSFER_COLUMNS[table].includes(name)) throw new TracklabError('INTERNAL_ERROR', `${table} has no column ${name}.`);
  return name;
}

/** The SELECT list of a table in portable form. */
function exportColumns(table: TransferTable): string {
  return TRANSFER_COLUMNS[table].map((c) => {
    if (table === 'metric_blocks' && c === 'seq') return '(row_number() OVER (PARTITION BY run_id, key ORDER BY seq) - 1)::bigint AS seq';
    return c;
  }).join(', ');
}

function fromPortable(table: TransferTable, column: string, value: PortableValueIn): unknown {
  if (table === 'metric_summaries' && FLOAT.has(column)) {
    const x = value as number;
    return column !== 'last_value' && Number.isNaN(x) ? null : f8(x);
  }
  if (column === 'data' && value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}
type PortableValueIn = PortableRow[string];

function toPortable(table: TransferTable, row: Record<string, unknown>): PortableRow {
  if (table === 'metric_summaries') {
    return { ...row, min_value: row.min_value ?? NaN, max_value: row.max_value ?? NaN } as unknown as PortableRow;
  }
  if (table === 'metric_blocks') {
    const data = row.data as Buffer;
    return { ...row, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } as PortableRow;
  }
  return row as PortableRow;
}

export function postgresTransfer(conn: Connection): StoreTransfer {
  return {
    async countRows() {
      const counts = await conn.read('count rows', async (q) => {
        const out: Partial<Record<TransferTable, number>> = {};
        for (const table of TRANSFER_TABLES) out[table] = (await q<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n;
        return out;
      });
      return counts as Record<TransferTable, number>;
    },

    async countPoints() {
      const [row] = await conn.query<{ n: number }>('count metric points', 'SELECT COALESCE(SUM(n), 0) AS n FROM metric_blocks');
      return row.n;
    },

    async isEmpty() {
      const [row] = await conn.query<{ n: number }>('check the store is empty',
        'SELECT (SELECT count(*) FROM experiments) + (SELECT count(*) FROM registered_models) AS n');
      return row.n === 0;
    },

    async readTable(table, batchSize, onBatch, only) {
      await conn.read(`export ${table}`, (q) => readRows(q, table, batchSize, onBatch, only));
    },

    async importAll(fill) {
      await conn.write('import a store', async (q) => {
        // A merge picks experiment ids, datasets to add and model ids from what these hold: others' writes to them wait until it commits.
        await q('LOCK TABLE experiments, experiment_tags, datasets, registered_models IN SHARE ROW EXCLUSIVE MODE');
        let last = -1;
        const write: WriteRows = async (table, rows) => {
          const at = TRANSFER_TABLES.indexOf(table);
          if (at < last) throw new TracklabError('INTERNAL_ERROR', `Rows of ${table} came after later tables; import tables in TRANSFER_TABLES order.`);
          last = at;
          if (rows.length > 0) await insertRows(q, table, rows);
        };
        await fill(write, (table, batchSize, onBatch, only) => readRows(q, table, batchSize, onBatch, only));
        // Model ids were copied; the identity must continue after them.
        await q(`SELECT setval(pg_get_serial_sequence('registered_models', 'model_id'), GREATEST((SELECT MAX(model_id) FROM registered_models), 0) + 1, false)`);
      });
    },
  };
}

/** The table's rows through a cursor, in key order (inside whatever transaction `q` is in). */
async function readRows(q: Query, table: TransferTable, batchSize: number, onBatch: (rows: readonly PortableRow[]) => Promise<void>,
  only?: RowFilter): Promise<void> {
  const where = only ? ` WHERE ${column(table, only.column)} = ANY($1::${sqlType(table, only.column)}[])` : '';
  await q(`DECLARE transfer_cursor NO SCROLL CURSOR FOR SELECT ${exportColumns(table)} FROM ${table}${where} ORDER BY ${TRANSFER_KEYS[table].join(', ')}`,
    only ? [only.values] : []);
  for (;;) {
    const rows = await q<Record<string, unknown>>(`FETCH ${Math.max(1, Math.floor(batchSize))} FROM transfer_cursor`);
    if (rows.length === 0) break;
    await onBatch(rows.map((r) => toPortable(table, r)));
  }
  await q('CLOSE transfer_cursor');
}

async function insertRows(q: Query, table: TransferTable, rows: readonly PortableRow[]): Promise<void> {
  if (table === 'metric_blocks') {
    // One row at a time, in order: the bytes go as a binary parameter, and the identity keeps the order of the blocks.
    for (const r of rows) {
      await q({ name: 'import-block', text: 'INSERT INTO metric_blocks (run_id, key, n, first_step, last_step, data) VALUES ($1, $2, $3, $4, $5, $6)' },
        [r.run_id, r.key, r.n, r.first_step, r.last_step, fromPortable(table, 'data', r.data)]);
    }
    return;
  }
  const columns = TRANSFER_COLUMNS[table];
  const arrays = columns.map((c) => rows.map((r) => fromPortable(table, c, r[c] ?? null)));
  const casts = columns.map((c, i) => `$${i + 1}::${sqlType(table, c)}[]`).join(', ');
  await q(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts})`, arrays);
}
