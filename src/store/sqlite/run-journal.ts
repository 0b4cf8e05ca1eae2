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
import { writeParamsJson, writeTagsJson } from './params-tags';

/** Larger batches of points go straight to metric_blocks: copying them through the journal would cost more than it saves. */
export const JOURNAL_MAX_POINTS = 1024;

export interface JournalEntry {
  readonly params?: string;
  readonly tags?: string;
  readonly blocks?: readonly MetricColumns[];
}

interface JournalRow {
  readonly seq: number;
  readonly run_id: string;
  readonly params: string | null;
  readonly tags: string | null;
  readonly metric_keys: string | null;
  readonly metric_data: Buffer | null;
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

/** Folds every entry into the run tables, oldest first, and empties the journal. Returns how many entries it applied. */
export function applyJournal(conn: Connection): number {
  const rows = conn.stmt('SELECT seq, run_id, params, tags, metric_keys, metric_data FROM run_journal ORDER BY seq').all() as JournalRow[];
  if (rows.length === 0) return 0;
  const exists = conn.stmt('SELECT 1 FROM runs WHERE run_id = ?').pluck();
  const live = new Map<string, boolean>();
  for (const row of rows) {
    let alive = live.get(row.run_id);
    if (alive === undefined) live.set(row.run_id, alive = exists.get(row.run_id) !== undefined);
    if (!alive) continue; // purged since: its entries go with it
    // Journaled params belong to a new run, so there is nothing to check them against.
    if (row.params !== null) writeParamsJson(conn, row.run_id, '', row.params, true);
    if (row.tags !== null) writeTagsJson(conn, row.run_id, row.tags);
    if (row.metric_keys !== null && row.metric_data !== null) {
      for (const block of unpackBlocks(row.run_id, row.metric_keys, row.metric_data)) appendBlock(conn, block);
    }
  }
  conn.stmt('DELETE FROM run_journal WHERE seq <= ?').run(rows[rows.length - 1].seq);
  return rows.length;
}

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
  const packed = new Float64Array(data.length / 8);
  for (let i = 0; i < packed.length; i++) packed[i] = data.readDoubleLE(i * 8);
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
