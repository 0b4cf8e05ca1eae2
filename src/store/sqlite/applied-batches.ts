/**
 * What a write that a remote client may send again (WriteOnce.batchId)
 * left behind, so that sending it again is skipped: for a sequenced id
 * (batch-sequence.ts) the highest position applied per (run, sender), for
 * any other id the id per run it wrote to. Ids are scoped per run: the
 * same id from another client, for another run, is another write. Recorded inside the write's own transaction:
 * it is there exactly when the write is, and removed with its run (foreign
 * keys, ON DELETE CASCADE).
 */
import { batchSequence } from '../batch-sequence';
import type { Connection } from './connection';

/**
 * Inside a write transaction: records `batchId` for the runs the write
 * touches and says whether the write should go ahead (false: applied
 * before). A run that does not exist records nothing (the write then fails).
 */
export function claimBatch(conn: Connection, batchId: string | undefined, runIds: Iterable<string>): boolean {
  if (batchId === undefined) return true;
  const runs = [...new Set(runIds)];
  const seq = batchSequence(batchId);
  if (seq === undefined) {
    // Applied before when any of its runs recorded the id (the runs of one write record it together), or when a
    // store from before runs were recorded has it.
    if (conn.stmt('SELECT 1 FROM applied_batches_unscoped WHERE batch_id = ?').get(batchId) !== undefined) return false;
    const seen = conn.stmt('SELECT 1 FROM applied_batches WHERE run_id = ? AND batch_id = ?');
    if (runs.some((runId) => seen.get(runId, batchId) !== undefined)) return false;
    const record = conn.stmt('INSERT INTO applied_batches (run_id, batch_id, applied_time) SELECT run_id, ?, ? FROM runs WHERE run_id = ?');
    const now = Date.now();
    for (const runId of runs) record.run(batchId, now, runId);
    return true;
  }
  const mark = conn.stmt('SELECT seq FROM applied_sequences WHERE run_id = ? AND sender = ?');
  for (const runId of runs) {
    const row = mark.get(runId, seq.sender) as { seq: number } | undefined;
    if (row !== undefined && row.seq >= seq.n) return false;
  }
  const raise = conn.stmt(`INSERT INTO applied_sequences (run_id, sender, seq) SELECT run_id, ?, ? FROM runs WHERE run_id = ?
    ON CONFLICT (run_id, sender) DO UPDATE SET seq = excluded.seq`);
  for (const runId of runs) raise.run(seq.sender, seq.n, runId);
  return true;
}
