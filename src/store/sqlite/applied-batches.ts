/**
 * Ids of writes already applied (WriteOnce.batchId), so that a write a
 * remote client sends again, not knowing whether the first one landed, is
 * skipped. The id is recorded inside the write's own transaction: it is
 * there exactly when the write is.
 */
import type { Connection } from './connection';

/** Inside a write transaction: records `batchId` and says whether the write should go ahead (false: applied before). */
export function claimBatch(conn: Connection, batchId: string | undefined): boolean {
  if (batchId === undefined) return true;
  return conn.stmt('INSERT OR IGNORE INTO applied_batches (batch_id, applied_time) VALUES (?, ?)').run(batchId, Date.now()).changes === 1;
}
