/**
 * Blocks that arrive already in the stored form (block-codec.ts), as the
 * tracking server receives them from clients: each is checked and summarised
 * from its bytes, then stored as it came, so the server never encodes a
 * block a second time. The checks are those of appendMetrics: the bytes must
 * decode exactly (lengths, modes, no trailing bytes), and steps and
 * timestamps must be integers within ±2^53, the timestamps not negative
 * (keys are the server's to check, as summarizeBlock says); values may be anything, NaN, ±Infinity and -0
 * included. The summary follows block-summary.ts and agrees with the points
 * stored. The usual block (steps counting up by a whole stride, whole
 * timestamps) is summarised straight from its bytes: its layout alone proves
 * the steps and timestamps whole and in range and names the latest point,
 * so only the values are read. Any other block is decoded and summarised point by point.
 */
import type { EncodedMetricBlock, MetricSummary } from '../entities';
import { BlockScratch, type BlockLayout, type ColumnLayout, decodeReceivedBlock, readReceivedLayout } from './block-codec';
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
  const what = `Metric "${key}" of run ${runId}`;
  const layout = readReceivedLayout(data, what);
  if (layout.n === 0) return undefined;
  if (isRegular(layout)) return { runId, key, data, n: layout.n, firstStep: layout.steps.start, lastStep: layout.steps.last, summary: regularSummary(key, data, layout) };
  const { steps, timestamps, values } = decodeReceivedBlock(data, scratch, what);
  const summary = summarizeBlock(runId, key, steps, timestamps, values)!;
  return { runId, key, data, n: values.length, firstStep: steps[0], lastStep: steps[values.length - 1], summary };
}

/**
 * Steps that count up by a whole stride from a whole start, all within ±2^53
 * (so each decodes exactly and the last is the greatest: the latest point),
 * and timestamps that are whole by construction (an arithmetic column with a
 * whole start and stride, or deltas, whole by the format, from a whole first)
 * and all within [0, 2^53]. Any other block is checked point by point.
 */
function isRegular({ steps, timestamps }: BlockLayout): boolean {
  return steps.mode === 'arithmetic' && steps.stride > 0 && Number.isInteger(steps.start) && Number.isInteger(steps.stride)
    && Math.abs(steps.start) <= Number.MAX_SAFE_INTEGER && Math.abs(steps.last) <= Number.MAX_SAFE_INTEGER
    && wholeColumn(timestamps) && timestamps.least >= 0 && timestamps.greatest <= Number.MAX_SAFE_INTEGER;
}

function wholeColumn(column: ColumnLayout): boolean {
  if (column.mode === 'arithmetic') return Number.isInteger(column.start) && Number.isInteger(column.stride);
  return column.mode === 'delta' && Number.isInteger(column.start);
}

/** summarizeBlock's rule for a regular block: the last point is the latest; min and max skip NaN and order -0 below 0. */
function regularSummary(key: string, data: Uint8Array, { n, valuesAt, steps, timestamps }: BlockLayout): MetricSummary {
  const view = new DataView(data.buffer, data.byteOffset + valuesAt, 8 * n);
  let min = NaN;
  let max = NaN;
  for (let at = 0; at < 8 * n; at += 8) {
    const v = view.getFloat64(at, true);
    if (v !== v) continue; // NaN never sets min or max
    if (!(v >= min) || (v === 0 && min === 0 && 1 / v < 0)) min = v;
    if (!(v <= max) || (v === 0 && max === 0 && 1 / v > 0)) max = v;
  }
  return { key, last: view.getFloat64(8 * (n - 1), true), lastStep: steps.last, lastTimestamp: timestamps.last, min, max, count: n };
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
