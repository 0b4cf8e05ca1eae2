/**
 * Whole-store export and import for `migrate-store` (../store-transfer.ts).
 * The run journal is folded first, so every param, tag and point is in its
 * table. Summaries convert between SQLite's NULL-and-flags form and plain
 * floats. An import is one BEGIN IMMEDIATE ... COMMIT around every table.
 */
import { TracklabError } from '../../errors';
import {
  type PortableRow, type RowFilter, type StoreTransfer, TRANSFER_COLUMNS, TRANSFER_KEYS, TRANSFER_TABLES, type TransferTable, type WriteRows,
} from '../store-transfer';
import type { Connection } from './connection';
import { summaryFromRow, type SummaryRow, summaryToColumns } from './rows';
import { applyJournal } from './run-journal';

const SUMMARY_COLUMNS = 'run_id, key, last_value, last_is_nan, last_step, last_timestamp, min_value, max_value, count, neg_zero_mask';

function selectSql(table: TransferTable): string {
  const columns = table === 'metric_summaries' ? SUMMARY_COLUMNS : TRANSFER_COLUMNS[table].join(', ');
  return `SELECT ${columns} FROM ${table} ORDER BY ${TRANSFER_KEYS[table].join(', ')}`;
}

function toPortable(table: TransferTable, row: Record<string, unknown>): PortableRow {
  if (table !== 'metric_summaries') return row as PortableRow;
  const s = summaryFromRow(row as unknown as SummaryRow);
  return {
    run_id: row.run_id as string, key: s.key, last_value: s.last, last_step: s.lastStep, last_timestamp: s.lastTimestamp,
    min_value: s.min, max_value: s.max, count: s.count,
  };
}

export function sqliteTransfer(conn: Connection): StoreTransfer {
  return {
    async countRows() {
      conn.write('apply the run journal', () => applyJournal(conn));
      return conn.read('count rows', () => Object.fromEntries(TRANSFER_TABLES.map((t) =>
        [t, (conn.stmt(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]))) as Record<TransferTable, number>;
    },

    async countPoints() {
      conn.write('apply the run journal', () => applyJournal(conn));
      return conn.read('count metric points', () => (conn.stmt('SELECT COALESCE(SUM(n), 0) AS n FROM metric_blocks').get() as { n: number }).n);
    },

    async isEmpty() {
      const row = conn.read('check the store is empty', () => conn.stmt(
        'SELECT (SELECT count(*) FROM experiments) + (SELECT count(*) FROM registered_models) AS n').get() as { n: number });
      return row.n === 0;
    },

    async readTable(table, batchSize, onBatch, only) {
      conn.write('apply the run journal', () => applyJournal(conn));
      await readRows(conn, table, batchSize, onBatch, only);
    },

    async importAll(fill) {
      const { db } = conn;
      conn.write('apply the run journal', () => applyJournal(conn));
      db.exec('BEGIN IMMEDIATE');
      try {
        let lastTable = -1;
        const write: WriteRows = async (table, rows) => {
          const at = TRANSFER_TABLES.indexOf(table);
          if (at < lastTable) throw new TracklabError('INTERNAL_ERROR', `Rows of ${table} came after later tables; import tables in TRANSFER_TABLES order.`);
          lastTable = at;
          insertRows(conn, table, rows);
        };
        await fill(write, (table, batchSize, onBatch, only) => readRows(conn, table, batchSize, onBatch, only));
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
  };
}

/** The table's rows in key order, a batch per short read (inside the open transaction, if any). */
async function readRows(conn: Connection, table: TransferTable, batchSize: number, onBatch: (rows: readonly PortableRow[]) => Promise<void>,
  only?: RowFilter): Promise<void> {
  // Batches by key (keyset), so each read is short and holds no lock while the destination writes.
  const keys = TRANSFER_KEYS[table];
  const after = `(${keys.join(', ')}) > (${keys.map(() => '?').join(', ')})`;
  const base = selectSql(table);
  const [head, order] = base.split(' ORDER BY ');
  if (only && !TRANSFER_COLUMNS[table].includes(only.column)) throw new TracklabError('INTERNAL_ERROR', `${table} has no column ${only.column}.`);
  const filterTable = only ? tempFilter(conn, only.values) : undefined;
  try {
    let last: unknown[] | undefined;
    for (;;) {
      const conditions: string[] = [];
      const args: unknown[] = [];
      if (only) {
        // The filter is on the first key column: later batches skip the values the earlier ones passed.
        const from = last !== undefined && keys[0] === only.column;
        conditions.push(`${only.column} IN (SELECT value FROM temp.${filterTable}${from ? ' WHERE value >= ?' : ''})`);
        if (from) args.push(last![0]);
      }
      if (last !== undefined) {
        conditions.push(after);
        args.push(...last);
      }
      const sql = `${head}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
      const rows = conn.read(`export ${table}`, () => conn.db.prepare(sql).all(...args, Math.max(1, Math.floor(batchSize))) as Record<string, unknown>[]);
      if (rows.length === 0) return;
      await onBatch(rows.map((r) => toPortable(table, r)));
      const end = rows[rows.length - 1];
      last = keys.map((k) => end[k]);
    }
  } finally {
    if (filterTable) conn.db.exec(`DROP TABLE IF EXISTS temp.${filterTable}`);
  }
}

let filters = 0;

/**
 * The values of a filter as a temporary table, filled once: a merge names
 * every copied run, and a list passed with each batch's query would be
 * parsed again for every batch (minutes for 200k runs).
 */
function tempFilter(conn: Connection, values: readonly (string | number)[]): string {
  const name = `transfer_filter_${++filters}`;
  conn.db.exec(`CREATE TEMP TABLE ${name} (value PRIMARY KEY) WITHOUT ROWID`);
  const insert = conn.db.prepare(`INSERT OR IGNORE INTO temp.${name} VALUES (?)`);
  conn.db.transaction(() => { for (const v of values) insert.run(v); })();
  return name;
}

function insertRows(conn: Connection, table: TransferTable, rows: readonly PortableRow[]): void {
  if (table === 'metric_summaries') {
    const insert = conn.stmt(`INSERT INTO metric_summaries (${SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const r of rows) {
      const summary = {
        key: r.key as string, last: r.last_value as number, lastStep: r.last_step as number, lastTimestamp: r.last_timestamp as number,
        min: r.min_value as number, max: r.max_value as number, count: r.count as number,
      };
      const c = summaryToColumns(summary);
      insert.run(r.run_id, summary.key, c.last, c.lastIsNan, summary.lastStep, summary.lastTimestamp, c.min, c.max, summary.count, c.mask);
    }
    return;
  }
  const columns = TRANSFER_COLUMNS[table];
  const insert = conn.stmt(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  for (const r of rows) insert.run(...columns.map((c) => r[c] ?? null));
}
