/**
 * Runs of this process whose row is not written yet (see run-writer.ts: a
 * row waits for the end of the current macrotask, so a run started and
 * ended around an `await` is still one write). Any store call of any client
 * writes them first, so a read in this process always finds a run started
 * before it. Process-wide, like the exit handler: a run may be read through
 * another client than the one that logs it.
 */
export interface PendingRow {
  /** Writes the row now if it is still waiting (a no-op once written). */
  writeRowNow(): void;
}

const waiting = new Set<PendingRow>();

export const pendingRows = {
  add(row: PendingRow): void {
    waiting.add(row);
  },
  delete(row: PendingRow): void {
    waiting.delete(row);
  },
  /** Writes every waiting row, oldest first (cheap when none waits: the common case). */
  writeAll(): void {
    if (waiting.size === 0) return;
    for (const row of [...waiting]) row.writeRowNow();
  },
};
