/**
 * What a write that a remote client may send again (WriteOnce.batchId)
 * left behind, so that sending it again is skipped: for a sequenced id
 * (batch-sequence.ts) the highest position applied per (run, sender), for
 * any other id the id itself. Written inside the write's own transaction,
 * and removed with its run (foreign keys, ON DELETE CASCADE). A second
 * sender of the same write waits on the first one's row lock, then finds it.
 */
import { batchSequence } from '../batch-sequence';
import type { Query } from './connection';

/**
 * Inside a write transaction: records `batchId` for the runs the write
 * touches and says whether the write should go ahead (false: applied
 * before). A run that does not exist records nothing (the write then fails).
 */
export async function claimBatch(q: Query, batchId: string | undefined, runIds: Iterable<string>): Promise<boolean> {
  if (batchId === undefined) return true;
  // In one order, so two writers of the same runs never wait on each other's rows crosswise.
  const runs = [...new Set(runIds)].sort();
  const seq = batchSequence(batchId);
  if (seq === undefined) {
    const rows = await q(`INSERT INTO applied_batches (batch_id, applied_time, run_id)
      VALUES ($1, $2, (SELECT run_id FROM runs WHERE run_id = $3)) ON CONFLICT (batch_id) DO NOTHING RETURNING 1 AS claimed`,
    [batchId, Date.now(), runs[0] ?? null]);
    return rows.length === 1;
  }
  // The upsert locks each (run, sender) row: a concurrent sender of the same write waits, then finds the mark raised.
  const [row] = await q<{ known: string; raised: string }>(`WITH known AS (SELECT run_id FROM runs WHERE run_id = ANY($1::text[])),
    raised AS (INSERT INTO applied_sequences (run_id, sender, seq) SELECT run_id, $2, $3 FROM known ORDER BY run_id
      ON CONFLICT (run_id, sender) DO UPDATE SET seq = EXCLUDED.seq WHERE applied_sequences.seq < EXCLUDED.seq
      RETURNING run_id)
    SELECT (SELECT count(*) FROM known) AS known, (SELECT count(*) FROM raised) AS raised`, [runs, seq.sender, seq.n]);
  // Marks move together (one transaction per write), so a write applied before raised none of them. With no known
  // run the write goes ahead, to fail as writes to a missing run do.
  return Number(row!.raised) > 0 || Number(row!.known) === 0;
}
