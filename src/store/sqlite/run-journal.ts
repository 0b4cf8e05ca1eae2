/**
 * The run journal: the small writes that make up most runs (a new run's
 * params and tags, the last points sent when it ends) are appended as one
 * row each instead of being spread over params, tags, metric_blocks,
 * metric_summaries and their (key, value) indexes. Appending touches one or
 * two pages; the spread costs dozens per run, each copied to the WAL at
 * commit. Entries are folded into those tables in bulk, in append order,
 * before anything reads them or writes next to them, so every reader sees
 * exactly what it would have seen without the journal. Callers hold the
 * write transaction.
 */
import type { MetricColumns } from '../../entities';
import type { Connection } from './connection';
import { appendBlock } from './metric-blocks';

/** Larger batches of points go straight to metric_blocks: copying them through the journal would cost more than it saves. */
export const JOURNAL_MAX_POINTS = 1024;

export interface JournalEntry {
  readonly params?: string;
  readonly tags?: string;
  readonly blocks?: readonly MetricColumns[];
}

interface JournalPoints {
  readonly run_id: string;
  readonly metric_keys: string;
  readonly metric_data: Buffer;
}

/** Whether these points of `runId` (and only of it) are few enough for one journal entry. */
export function journalFits(runId: string, blocks: readonly MetricColumns[]): boolean {
  let points = 0;
  for (const block of blocks) {
    if (block.runId !== runId) return false;
    points += block.values.length;
  }
  return points <= JOURNAL_MAX_POINTS;
}

export function appendJournal(conn: Connection, runId: string, entry: JournalEntry): void {
  const blocks = entry.blocks !== undefined && entry.blocks.length > 0 ? entry.blocks : undefined;
  conn.stmt('INSERT INTO run_journal (run_id, params, tags, metric_keys, metric_data) VALUES (?, ?, ?, ?, ?)').run(
    runId, entry.params ?? null, entry.tags ?? null,
    blocks === undefined ? null : JSON.stringify(blocks.map((b) => [b.key, b.values.length])),
    blocks === undefined ? null : packBlocks(blocks),
  );
}

export function journalIsEmpty(conn: Connection): boolean {
  return conn.stmt('SELECT seq FROM run_journal LIMIT 1').get() === undefined;
}

/** Whether the journal holds more than `n` entries (a bounded count: cheap however long it is). */
export function journalLongerThan(conn: Connection, n: number): boolean {
  return conn.stmt('SELECT seq FROM run_journal ORDER BY seq LIMIT 1 OFFSET ?').get(n) !== undefined;
}

/**
 * Folds the oldest entries (all, or at most `maxEntries`) into the run
 * tables, in order, and removes them. Returns how many it applied. Params and
 * tags of all entries go in with one statement each; a purged run's entries
 * are skipped.
 */
export function applyJournal(conn: Connection, maxEntries = Infinity): number {
  const last = (Number.isFinite(maxEntries)
    ? conn.stmt('SELECT seq FROM run_journal ORDER BY seq LIMIT 1 OFFSET ?').pluck().get(maxEntries - 1)
      ?? conn.stmt('SELECT MAX(seq) FROM run_journal').pluck().get()
    : conn.stmt('SELECT MAX(seq) FROM run_journal').pluck().get()) as number | null;
  if (last === null) return 0;
  // Journaled params belong to new runs, so there is nothing to check them against; later tags win.
  conn.stmt(`INSERT INTO params (run_id, key, value)
    SELECT j.run_id, e.key, e.value FROM run_journal j JOIN runs r ON r.run_id = j.run_id, json_each(j.params) e
    WHERE j.seq <= ? AND j.params IS NOT NULL ORDER BY j.seq
    ON CONFLICT (run_id, key) DO NOTHING`).run(last);
  conn.stmt(`INSERT INTO tags (run_id, key, value)
    SELECT j.run_id, e.key, e.value FROM run_journal j JOIN runs r ON r.run_id = j.run_id, json_each(j.tags) e
    WHERE j.seq <= ? AND j.tags IS NOT NULL ORDER BY j.seq
    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`).run(last);
  const points = conn.stmt(`SELECT j.run_id, j.metric_keys, j.metric_data FROM run_journal j JOIN runs r ON r.run_id = j.run_id
    WHERE j.seq <= ? AND j.metric_keys IS NOT NULL ORDER BY j.seq`).all(last) as JournalPoints[];
  for (const row of points) {
    for (const block of unpackBlocks(row.run_id, row.metric_keys, row.metric_data)) appendBlock(conn, block);
  }
  return conn.stmt('DELETE FROM run_journal WHERE seq <= ?').run(last).changes;
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Steps, timestamps and values of each block, back to back, as float64. */
function packBlocks(blocks: readonly MetricColumns[]): Buffer {
  let total = 0;
  for (const block of blocks) total += block.values.length * 3;
  const bytes = Buffer.allocUnsafe(total * 8);
  let at = 0;
  for (const { steps, timestamps, values } of blocks) {
    const n = values.length;
    for (let i = 0; i < n; i++, at += 8) bytes.writeDoubleLE(steps[i], at);
    for (let i = 0; i < n; i++, at += 8) bytes.writeDoubleLE(timestamps[i], at);
    for (let i = 0; i < n; i++, at += 8) bytes.writeDoubleLE(values[i], at);
  }
  return bytes;
}

function unpackBlocks(runId: string, keysJson: string, data: Buffer): MetricColumns[] {
  // One copy into an aligned buffer (the driver's Buffer may start at any byte), read as little-endian float64 like packBlocks wrote.
  const packed = new Float64Array(data.length / 8);
  if (LITTLE_ENDIAN) new Uint8Array(packed.buffer).set(data);
  else for (let i = 0; i < packed.length; i++) packed[i] = data.readDoubleLE(i * 8);
  let at = 0;
  return (JSON.parse(keysJson) as [string, number][]).map(([key, n]) => {
    const block = {
      runId, key,
      steps: packed.subarray(at, at + n),
      timestamps: packed.subarray(at + n, at + 2 * n),
      values: packed.subarray(at + 2 * n, at + 3 * n),
    };
    at += 3 * n;
    return block;
  });
}
