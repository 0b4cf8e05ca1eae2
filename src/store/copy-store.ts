/**
 * Copies every table of one store into another (any backends), keeping ids,
 * timestamps and values, then verifies the copy: each table's row count and
 * a digest of its rows must match on both sides. The destination is written
 * and read back in one transaction, so a failed or wrong copy leaves it as
 * it was. Into an empty store everything is copied; with `merge`, into one
 * that holds other work too, as merge-plan.ts says, and only what was
 * written is read back.
 * Progress counts metric points rather than the blocks that hold them: a
 * block is one row but up to thousands of points, and most of the work.
 */
import { createHash } from 'node:crypto';
import { TracklabError } from '../errors';
import { type CopyPlan, planMerge, WHOLE_COPY } from './merge-plan';
import { type PortableRow, type ReadRows, type StoreTransfer, TRANSFER_COLUMNS, TRANSFER_TABLES, type TransferTable } from './store-transfer';

const BATCH = 2000;

export type CopyPhase = 'copy' | 'verify';

/** Progress of one phase: `done` of `total` units, now in `table`. A unit is a row, or in metric_blocks a metric point. */
export type CopyProgress = (phase: CopyPhase, done: number, total: number, table: TransferTable) => void;

export interface TableCheck {
  readonly rows: number;
  /** Metric points in the rows (metric_blocks only): the sum of the blocks' `n`. */
  readonly points?: number;
  /** The sum of the rows' sha256 digests (hex, word by word), so it does not depend on their order. */
  readonly sha256: string;
}

export type CopyReport = Readonly<Record<TransferTable, TableCheck>>;

export interface CopyResult {
  /** What was written, table by table, and found again. */
  readonly tables: CopyReport;
  /** What a merge did that the user should know (merge-plan.ts). */
  readonly notes: readonly string[];
}

/**
 * @example
 * const { tables } = await copyStore(from.transfer(), to.transfer(), (phase, done, total) => bar(done / total));
 * tables.runs.rows; // runs copied and verified
 * tables.metric_blocks.points; // metric points copied and verified
 */
export async function copyStore(from: StoreTransfer, to: StoreTransfer, onProgress: CopyProgress = () => undefined,
  options: { merge?: boolean } = {}): Promise<CopyResult> {
  const whole = await wholeCopy(to, options.merge === true);
  const [counts, points] = [await from.countRows(), await from.countPoints()];
  const total = TRANSFER_TABLES.reduce((n, t) => n + (t === 'metric_blocks' ? points : counts[t]), 0);
  const written = {} as Record<TransferTable, TableCheck>;
  let done = 0;
  let writtenUnits = 0;
  let notes: readonly string[] = [];
  await to.importAll(async (write, read) => {
    // Planned inside the import's transaction, so others writing to a live team store meanwhile cannot take the ids it picks.
    const plan = whole ? WHOLE_COPY : await planMerge(from, read);
    notes = plan.notes;
    for (const table of TRANSFER_TABLES) {
      const check = tally(table);
      onProgress('copy', done, total, table);
      await from.readTable(table, BATCH, async (batch) => {
        const rows: PortableRow[] = [];
        for (const row of batch) {
          const mapped = plan.mapRow(table, row);
          if (mapped !== undefined) rows.push(mapped);
        }
        check.add(rows);
        await write(table, rows);
        done += progressUnits(table, batch);
        writtenUnits += progressUnits(table, rows);
        onProgress('copy', done, total, table);
      });
      written[table] = check.result();
    }
    // Read back inside the import's transaction: a copy that does not match is rolled back, not left behind.
    const copied = await checkRows(read, (d, table) => onProgress('verify', d, writtenUnits, table), plan);
    const wrong = TRANSFER_TABLES.filter((t) =>
      copied[t].rows !== written[t].rows || copied[t].points !== written[t].points || copied[t].sha256 !== written[t].sha256);
    if (wrong.length > 0) {
      throw new TracklabError('INTERNAL_ERROR', `The copy does not match the source in ${wrong.map((t) =>
        `${t} (${written[t].rows} rows written, ${copied[t].rows} found)`).join(', ')}, so none of it was kept: both stores are as `
        + 'they were. This is a tracklab bug (or something in the destination alters what is written); please report it.');
    }
  });
  return { tables: written, notes };
}

/** True when the destination is empty (everything is copied as it is), false for a merge. */
async function wholeCopy(to: StoreTransfer, merge: boolean): Promise<boolean> {
  if (await to.isEmpty()) return true;
  if (merge) return false;
  throw new TracklabError('INVALID_STATE',
    'The destination store already holds experiments or registered models. To add this store to it (a team store that holds '
    + "others' work), add --merge: same-named experiments are joined and nothing already there changes. Otherwise point --to at "
    + 'a new database (or folder).');
}

/**
 * Row count (and metric points) and digest of every table of a store, or of
 * the rows `plan` says a copy wrote; progress in the units of CopyProgress.
 */
export async function checkTables(store: StoreTransfer, onProgress: (done: number, table: TransferTable) => void = () => undefined,
  plan: CopyPlan = WHOLE_COPY): Promise<CopyReport> {
  return checkRows((table, batchSize, onBatch, only) => store.readTable(table, batchSize, onBatch, only), onProgress, plan);
}

async function checkRows(read: ReadRows, onProgress: (done: number, table: TransferTable) => void, plan: CopyPlan): Promise<CopyReport> {
  const out = {} as Record<TransferTable, TableCheck>;
  let done = 0;
  for (const table of TRANSFER_TABLES) {
    const check = tally(table);
    const back = plan.readBack(table);
    await read(table, BATCH, async (batch) => {
      const rows = back?.keep ? batch.filter(back.keep) : batch;
      check.add(rows);
      done += progressUnits(table, rows);
      onProgress(done, table);
    }, back?.only);
    out[table] = check.result();
  }
  return out;
}

/** A batch's share of the work: rows, or in metric_blocks the points they hold. */
function progressUnits(table: TransferTable, rows: readonly PortableRow[]): number {
  if (table !== 'metric_blocks') return rows.length;
  let points = 0;
  for (const row of rows) points += row.n as number;
  return points;
}

/** A table's check, fed batch by batch. */
function tally(table: TransferTable): { add(batch: readonly PortableRow[]): void; result(): TableCheck } {
  // Eight 32-bit words, each summed modulo 2^32: the same for the same rows in any order.
  const sum = new Uint32Array(8);
  let rows = 0;
  let points = 0;
  return {
    add(batch) {
      for (const row of batch) {
        const digest = rowDigest(table, row);
        for (let w = 0; w < 8; w++) sum[w] = (sum[w] + digest.readUInt32BE(w * 4)) >>> 0;
        if (table === 'metric_blocks') points += row.n as number;
      }
      rows += batch.length;
    },
    result() {
      const sha256 = Array.from(sum, (w) => w.toString(16).padStart(8, '0')).join('');
      return table === 'metric_blocks' ? { rows, points, sha256 } : { rows, sha256 };
    },
  };
}

/** One row's sha256: each value tagged with its kind, so 1 and '1', -0 and 0, NaN and null all differ. */
function rowDigest(table: TransferTable, row: PortableRow): Buffer {
  const hash = createHash('sha256');
  for (const column of TRANSFER_COLUMNS[table]) {
    const v = row[column] ?? null;
    if (v === null) hash.update('\u0000n');
    else if (typeof v === 'string') hash.update(`\u0000s${v.length}:`).update(v);
    else if (typeof v === 'number') hash.update(`\u0000d${Object.is(v, -0) ? '-0' : String(v)}`);
    else hash.update(`\u0000b${v.byteLength}:`).update(v);
  }
  return hash.digest();
}
