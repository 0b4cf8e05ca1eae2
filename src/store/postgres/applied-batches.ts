/**
 * Ids of writes already applied (WriteOnce.batchId), so that a write a
 * remote client sends again, not knowing whether the first one landed, is
 * skipped. The id is inserted inside the write's own transaction: a second
 * sender of the same id waits on the first one's key lock, then finds it.
 */
import type { Query } from './connection';

/** Inside a write transaction: records `batchId` and says whether the write should go ahead (false: applied before). */
export async function claimBatch(q: Query, batchId: string | undefined): Promise<boolean> {
  if (batchId === undefined) return true;
  const rows = await q('INSERT INTO applied_batches (batch_id, applied_time) VALUES ($1, $2) ON CONFLICT (batch_id) DO NOTHING RETURNING 1 AS claimed',
    [batchId, Date.now()]);
  return rows.length === 1;
}
