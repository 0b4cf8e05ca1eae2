/**
 * What a write that a remote client may send again (WriteOnce.batchId)
 * left behind, so that sending it again is skipped: for a sequenced id
 * (batch-sequence.ts) the highest position applied per (run, sender), for
 * any other id the id per run it wrote to. Ids are scoped per run: the
 * same id from another client, for another run, is another write. Written inside the write's own transaction,
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
    // The insert locks each (run, id) row: a concurrent sender of the same write waits, then finds it there. Applied
    // before when any run of the write had the id (its runs record it together), or a store from before runs were
    // recorded has it.
    const [row] = await q<{ known: string; claimed: string[] | null; unscoped: boolean }>(`WITH
      unscoped AS (SELECT 1 FROM applied_batches_unscoped WHERE batch_id = $2),
      known AS (SELECT run_id FROM runs WHERE run_id = ANY($1::text[])),
      claimed AS (INSERT INTO applied_batches (run_id, batch_id, applied_time)
        SELECT run_id, $2, $3 FROM known WHERE NOT EXISTS (SELECT 1 FROM unscoped) ORDER BY run_id
        ON CONFLICT (run_id, batch_id) DO NOTHING RETURNING run_id)
      SELECT (SELECT count(*) FROM known) AS known, (SELECT array_agg(run_id) FROM claimed) AS claimed,
        EXISTS (SELECT 1 FROM unscoped) AS unscoped`,
    [runs, batchId, Date.now()]);
    const claimed = row!.claimed ?? [];
    // With no known run the write goes ahead, to fail as writes to a missing run do.
    if (!row!.unscoped && claimed.length === Number(row!.known)) return true;
    // Skipped: a write that found the id on some of its runs only records nothing on the others either.
    if (claimed.length > 0) await q('DELETE FROM applied_batches WHERE batch_id = $1 AND run_id = ANY($2::text[])', [batchId, claimed]);
    return false;
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
