/**
 * Copies every table of one store into an empty other (any backends), keeping
 * ids, timestamps and values, then verifies the copy: each table's row count
 * and a sha256 over its rows in key order must match on both sides. The
 * destination is written in one transaction, so a failed copy leaves it empty.
 * Progress counts metric points rather than the blocks that hold them: a
 * block is one row but up to thousands of points, and most of the work.
 */
import { createHash, type Hash } from 'node:crypto';
import { TracklabError } from '../errors';
import { type PortableRow, type StoreTransfer, TRANSFER_COLUMNS, TRANSFER_TABLES, type TransferTable } from './store-transfer';

const BATCH = 2000;

export type CopyPhase = 'copy' | 'verify';

/** Progress of one phase: `done` of `total` units, now in `table`. A unit is a row, or in metric_blocks a metric point. */
export type CopyProgress = (phase: CopyPhase, done: number, total: number, table: TransferTable) => void;

export interface TableCheck {
  readonly rows: number;
  /** Metric points in the rows (metric_blocks only): the sum of the blocks' `n`. */
  readonly points?: number;
  /** sha256 (hex) over the table's rows in key order, the same on both sides. */
  readonly sha256: string;
}

export type CopyReport = Readonly<Record<TransferTable, TableCheck>>;

/**
 * @example
 * const report = await copyStore(from.transfer(), to.transfer(), (phase, done, total) => bar(done / total));
 * report.runs.rows; // runs copied and verified
 * report.metric_blocks.points; // metric points copied and verified
 */
export async function copyStore(from: StoreTransfer, to: StoreTransfer, onProgress: CopyProgress = () => undefined): Promise<CopyReport> {
  if (!(await to.isEmpty())) {
    throw new TracklabError('INVALID_STATE',
      'The destination store already holds experiments or registered models. migrate-store copies into an empty store only, '
      + 'so ids cannot collide: point --to at a new database (or folder), or empty it first.');
  }
  const [counts, points] = [await from.countRows(), await from.countPoints()];
  const total = TRANSFER_TABLES.reduce((n, t) => n + (t === 'metric_blocks' ? points : counts[t]), 0);
  const source = {} as Record<TransferTable, TableCheck>;
  let done = 0;
  await to.importAll(async (write) => {
    for (const table of TRANSFER_TABLES) {
      const check = tally(table);
      onProgress('copy', done, total, table);
      await from.readTable(table, BATCH, async (batch) => {
        const units = check.add(batch);
        await write(table, batch);
        done += units;
        onProgress('copy', done, total, table);
      });
      source[table] = check.result();
    }
  });
  const copied = await checkTables(to, (d, table) => onProgress('verify', d, done, table));
  const wrong = TRANSFER_TABLES.filter((t) =>
    copied[t].rows !== source[t].rows || copied[t].points !== source[t].points || copied[t].sha256 !== source[t].sha256);
  if (wrong.length > 0) {
    throw new TracklabError('INTERNAL_ERROR', `The copy does not match the source in ${wrong.map((t) =>
      `${t} (${source[t].rows} rows read, ${copied[t].rows} found)`).join(', ')}. This is a tracklab bug; `
      + 'the source is untouched. Drop the destination and report the problem.');
  }
  return source;
}

/** Row count (and metric points) and hash of every table of a store; progress in the units of CopyProgress. */
export async function checkTables(store: StoreTransfer, onProgress: (done: number, table: TransferTable) => void = () => undefined): Promise<CopyReport> {
  const out = {} as Record<TransferTable, TableCheck>;
  let done = 0;
  for (const table of TRANSFER_TABLES) {
    const check = tally(table);
    await store.readTable(table, BATCH, async (batch) => {
      done += check.add(batch);
      onProgress(done, table);
    });
    out[table] = check.result();
  }
  return out;
}

/** A table's check, fed batch by batch; `add` returns the batch's progress units. */
function tally(table: TransferTable): { add(batch: readonly PortableRow[]): number; result(): TableCheck } {
  const hash = createHash('sha256');
  let rows = 0;
  let units = 0;
  return {
    add(batch) {
      const before = units;
      for (const row of batch) {
        hashRow(hash, table, row);
        units += table === 'metric_blocks' ? row.n as number : 1;
      }
      rows += batch.length;
      return units - before;
    },
    result: () => (table === 'metric_blocks' ? { rows, points: units, sha256: hash.digest('hex') } : { rows, sha256: hash.digest('hex') }),
  };
}

/** Feeds one row to the hash: each value tagged with its kind, so 1 and '1', -0 and 0, NaN and null all differ. */
function hashRow(hash: Hash, table: TransferTable, row: PortableRow): void {
  for (const column of TRANSFER_COLUMNS[table]) {
    const v = row[column] ?? null;
    if (v === null) hash.update('\u0000n');
    else if (typeof v === 'string') hash.update(`\u0000s${v.length}:`).update(v);
    else if (typeof v === 'number') hash.update(`\u0000d${Object.is(v, -0) ? '-0' : String(v)}`);
    else hash.update(`\u0000b${v.byteLength}:`).update(v);
  }
  hash.update('\u0001');
}
