/**
 * What a write that a remote client may send again (WriteOnce.batchId)
 * left behind, so that sending it again is skipped: for a sequenced id
 * (batch-sequence.ts) the highest position applied per (run, sender), for
 * any other id the id itself. Recorded inside the write's own transaction:
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
    return conn.stmt(`INSERT OR IGNORE INTO applied_batches (batch_id, applied_time, run_id)
      VALUES (?, ?, (SELECT run_id FROM runs WHERE run_id = ?))`).run(batchId, Date.now(), runs[0] ?? null).changes === 1;
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
