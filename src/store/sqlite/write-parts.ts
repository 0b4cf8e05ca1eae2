/**
 * Every process shares one write lock, and SQLite's busy handler makes a
 * waiting process sleep and retry rather than queue. So a big write is done
 * as several short transactions, each bounded by the part sizes below, with a
 * pause between them as long as the last one took: the lock is free at least
 * half of the time, and another process's write gets through within a few of
 * its retries. The sizes keep one part near 50 ms on a loaded 2-core machine
 * (measured at load average 10: 0.23 ms per journal entry of 25 rows, 0.18 ms
 * per 1000 points, 48 µs per metric block, 21 µs per artifact entry, about
 * 1.2 ms per purged run).
 */
import type { MetricColumns } from '../../entities';
import type { CheckedBlock } from '../../metrics/received-block';

export const WriteParts = {
  /** Run journal entries folded per transaction. */
  journalEntries: 200,
  /** Metric points per transaction (a longer block is cut). */
  points: 262_144,
  /** Metric blocks per transaction (MLflow's MAX_METRICS_PER_BATCH). */
  blocks: 1000,
  /** Artifact manifest entries per transaction (MLflow's MAX_ENTITIES_PER_BATCH). */
  artifacts: 1000,
  /** Deleted runs purged per transaction. */
  purgedRuns: 32,
} as const;

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleeps this thread as long as the last transaction took (at least 1 ms),
 * or `share` of that. Synchronous on purpose: the embedded store finishes
 * every write before its method returns (the exit handler relies on it).
 */
export function pauseAfter(startedAt: number, share = 1): void {
  const ms = Math.max(1, Math.ceil((performance.now() - startedAt) * share));
  Atomics.wait(pauseCell, 0, 0, ms);
}

/** Splits items into consecutive parts of at most `size`. */
export function partsOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Metric blocks in parts of at most `WriteParts.blocks` blocks and
 * `WriteParts.points` points; a block longer than that is cut into
 * consecutive blocks of the same (run, key), which append in order.
 */
export function metricParts(blocks: readonly MetricColumns[]): MetricColumns[][] {
  const parts: MetricColumns[][] = [];
  let part: MetricColumns[] = [];
  let points = 0;
  const close = (): void => {
    if (part.length > 0) parts.push(part);
    part = [];
    points = 0;
  };
  for (const block of blocks) {
    for (let at = 0; at < block.values.length || (at === 0 && block.values.length === 0); ) {
      if (part.length >= WriteParts.blocks || points >= WriteParts.points) close();
      const take = Math.min(block.values.length - at, WriteParts.points - points);
      part.push(take === block.values.length ? block : {
        runId: block.runId, key: block.key,
        steps: block.steps.subarray(at, at + take), timestamps: block.timestamps.subarray(at, at + take), values: block.values.subarray(at, at + take),
      });
      points += take;
      at += take;
      if (take === 0) break;
    }
  }
  close();
  return parts;
}

/**
 * Encoded blocks in parts of at most `WriteParts.blocks` blocks and about
 * `WriteParts.points` points. An encoded block is never cut (that would mean
 * encoding it again): one longer than a part is a part of its own.
 */
export function checkedBlockParts(blocks: readonly CheckedBlock[]): CheckedBlock[][] {
  const parts: CheckedBlock[][] = [];
  let part: CheckedBlock[] = [];
  let points = 0;
  for (const block of blocks) {
    if (part.length > 0 && (part.length >= WriteParts.blocks || points + block.n > WriteParts.points)) {
      parts.push(part);
      part = [];
      points = 0;
    }
    part.push(block);
    points += block.n;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
