/**
 * Batch ids that carry their sender's order: `s:<sender>:<n>`, n counting
 * up from 1 in the order the sender issues its writes.
 *
 * Why a sequence and not a record of every id: a store must remember what it
 * applied for as long as the write may come again, and a write may come
 * again days later (an outbox left by a process that exited while the server
 * was down, a `tracklab sync` of runs logged offline that was cut off).
 * Every sender tracklab has applies its writes in order: the remote store's
 * sender delivers its outbox one write at a time, oldest first, and tries a
 * write again until it is answered before the next goes; offline sync sends
 * a run's slices in one fixed order. So for each (run, sender) the store
 * keeps only the highest n applied (applied_sequences): a write at or below
 * it was applied before. That is one row per run and sender, whatever the
 * number of batches, and it goes with the run when the run is purged.
 * Ids of any other form are still honoured, one row per run (applied_batches),
 * also removed with their run.
 *
 * A mark skips every later write of its sender at or below it, so a sender
 * name must be one nobody else can guess: whoever can write to a run and
 * names another's sender with a huge n makes the run skip that sender's
 * writes. tracklab's senders are random (a salt kept in the outbox, or in the
 * offline store for `tracklab sync`), and an id that starts with `s:` but is
 * not exactly this form is refused (validateBatchId), never taken as an
 * ordinary id.
 */
const SEQUENCED = /^s:([A-Za-z0-9_.-]{1,100}):(0|[1-9][0-9]{0,15})$/;

export interface BatchSequence {
  readonly sender: string;
  readonly n: number;
}

/** The batch id of the `n`th write (from 1; 0 is valid too) of `sender` ([A-Za-z0-9_.-], up to 100 characters). */
export function sequencedBatchId(sender: string, n: number): string {
  return `s:${sender}:${n}`;
}

/** The sender and position a sequenced batch id names; undefined for an id of another form. */
export function batchSequence(batchId: string): BatchSequence | undefined {
  const m = SEQUENCED.exec(batchId);
  if (m === null) return undefined;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { sender: m[1]!, n } : undefined;
}
