/**
 * Blocks that arrive already in the stored form (block-codec.ts), as the
 * tracking server receives them from clients: each is checked and summarised
 * from its bytes, then stored as it came, so the server never encodes a
 * block a second time. The checks are those of appendMetrics: the bytes must
 * decode exactly (lengths, modes, no trailing bytes), and steps and
 * timestamps must be integers; values may be anything, NaN, ±Infinity and -0
 * included. The summary follows block-summary.ts, computed from the decoded
 * columns, so it always agrees with the points stored.
 */
import type { EncodedMetricBlock, MetricSummary } from '../entities';
import { BlockScratch, decodeReceivedBlock } from './block-codec';
import { summarizeBlock } from './block-summary';

/** A received block that passed the checks, with what a store writes beside its bytes. */
export interface CheckedBlock extends EncodedMetricBlock {
  /** Point count. */
  readonly n: number;
  /** The steps of its first and last points (in order, not the least and greatest). */
  readonly firstStep: number;
  readonly lastStep: number;
  readonly summary: MetricSummary;
}

/** Decoding space shared by every check: the checks are synchronous, so one at a time uses it. */
const scratch = new BlockScratch();

/**
 * The checked block, or undefined for a block of no points (nothing to
 * store). Throws INVALID_PARAMETER_VALUE naming the run and key.
 *
 * @example
 * const data = encodeBlock(new Float64Array([0, 1]), new Float64Array([5, 6]), new Float64Array([0.5, NaN]));
 * checkReceivedBlock({ runId: 'r1', key: 'loss', data })?.summary.last; // NaN
 */
export function checkReceivedBlock(block: EncodedMetricBlock): CheckedBlock | undefined {
  const { runId, key, data } = block;
  const { steps, timestamps, values } = decodeReceivedBlock(data, scratch, `Metric "${key}" of run ${runId}`);
  const summary = summarizeBlock(runId, key, steps, timestamps, values);
  if (summary === undefined) return undefined;
  return { runId, key, data, n: values.length, firstStep: steps[0], lastStep: steps[values.length - 1], summary };
}

/** Every block checked before any is written, so one malformed block anywhere refuses the whole upload. */
export function checkReceivedBlocks(blocks: readonly EncodedMetricBlock[]): CheckedBlock[] {
  const checked: CheckedBlock[] = [];
  for (const block of blocks) {
    const one = checkReceivedBlock(block);
    if (one !== undefined) checked.push(one);
  }
  return checked;
}
