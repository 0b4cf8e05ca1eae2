// Only types come from the package's main module (the compiler drops this import from the JavaScript).
import { Dictionary, Float64, Int32, Int64, Table, TimestampMillisecond, Utf8, type Vector } from 'apache-arrow';
// The four modules a history table is made of, not the package's main module: that one also loads the IPC
// readers and writers, builders and stream adapters (153 files against 117), and the first history read of a
// process waited for them (about 190 ms against 120 ms here). They are the same modules, so the same classes.
import { makeData } from 'apache-arrow/data';
import { Table as ArrowTable } from 'apache-arrow/table';
import * as arrowType from 'apache-arrow/type';
import { makeVector } from 'apache-arrow/vector';
import type { EncodedMetricBlock, MetricColumns } from '../entities';
import { TracklabError } from '../errors';
import { blockLength, decodeBlockInto } from './block-codec';

/** Column names of a metric history table, in order. */
export const HISTORY_COLUMNS = ['run_id', 'key', 'step', 'timestamp', 'value'] as const;

/** The schema types of {@link historyTable}'s columns. */
export type HistorySchema = {
  run_id: Dictionary<Utf8, Int32>;
  key: Dictionary<Utf8, Int32>;
  step: Int64;
  timestamp: TimestampMillisecond;
  value: Float64;
};

const TWO_32 = 4294967296;

/**
 * Writes integral doubles as little-endian int64 (two int32 words each) into
 * `out` from word `at`. Avoids one BigInt per point; exact for |x| < 2^53,
 * which covers every step and millisecond timestamp a double can hold exactly.
 */
function putInt64(words: Int32Array, at: number, source: Float64Array): void {
  // Steps and timestamps of a block mostly share their high word: divide only when it changes.
  let hi = 0;
  let base = 0;
  for (let i = 0, w = at * 2; i < source.length; i++, w += 2) {
    const x = source[i];
    let lo = x - base;
    if (lo < 0 || lo >= TWO_32) {
      hi = Math.floor(x / TWO_32);
      base = hi * TWO_32;
      lo = x - base;
    }
    words[w] = lo | 0;
    words[w + 1] = hi | 0;
  }
}

/** A Utf8 vector made straight from its offsets and bytes (no builder: it is the first-call cost). */
function utf8Vector(strings: readonly string[]): Vector<Utf8> {
  const encoder = new TextEncoder();
  const parts = strings.map((s) => encoder.encode(s));
  const valueOffsets = new Int32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) valueOffsets[i + 1] = valueOffsets[i] + parts[i].length;
  const data = new Uint8Array(valueOffsets[parts.length]);
  parts.forEach((part, i) => data.set(part, valueOffsets[i]));
  return makeVector(makeData({ type: new arrowType.Utf8(), length: parts.length, nullCount: 0, valueOffsets, data }));
}

/** Dictionary-encodes one string per block (`names[i]` for `counts[i]` points): the codes are filled by range, never per point. */
function dictionaryColumn(names: readonly string[], counts: readonly number[], total: number): Vector<Dictionary<Utf8, Int32>> {
  const ids = new Map<string, number>();
  const codes = new Int32Array(total);
  let at = 0;
  for (let b = 0; b < names.length; b++) {
    const name = names[b];
    let id = ids.get(name);
    if (id === undefined) {
      id = ids.size;
      ids.set(name, id);
    }
    if (id !== 0) codes.fill(id, at, at + counts[b]); // a new Int32Array is already all 0
    at += counts[b];
  }
  const dictionary = utf8Vector([...ids.keys()]);
  const type = new arrowType.Dictionary(new arrowType.Utf8(), new arrowType.Int32());
  return makeVector(makeData({ type, length: total, nullCount: 0, data: codes, dictionary }));
}

/** The history table from its columns (run_id and key per block, int64 words, values). */
function makeHistoryTable(
  runIds: readonly string[], keys: readonly string[], counts: readonly number[], total: number,
  steps: Int32Array, timestamps: Int32Array, values: Float64Array,
): Table<HistorySchema> {
  const table = new ArrowTable<HistorySchema>({
    run_id: dictionaryColumn(runIds, counts, total),
    key: dictionaryColumn(keys, counts, total),
    step: makeVector(makeData({ type: new arrowType.Int64(), length: total, nullCount: 0, data: steps })),
    timestamp: makeVector(makeData({ type: new arrowType.TimestampMillisecond(), length: total, nullCount: 0, data: timestamps })),
    value: makeVector(makeData({ type: new arrowType.Float64(), length: total, nullCount: 0, data: values })),
  });
  // With no points, the same schema and no record batch: apache-arrow writes an empty batch's dictionary
  // columns without their dictionary batches, which other readers refuse ("Dictionary id 0 not found").
  return total === 0 ? new ArrowTable<HistorySchema>(table.schema) : table;
}

/**
 * {@link historyTable} from blocks still encoded (as a store keeps them):
 * each block is decoded straight into the table's own buffers, steps and
 * timestamps as int64 words, so no point passes through an intermediate array.
 */
export function historyTableFromEncoded(blocks: readonly EncodedMetricBlock[]): Table<HistorySchema> {
  const counts = blocks.map((b) => blockLength(b.data));
  let total = 0;
  for (const n of counts) total += n;
  const steps = new Int32Array(total * 2);
  const timestamps = new Int32Array(total * 2);
  const values = new Float64Array(total);
  let at = 0;
  for (const block of blocks) at += decodeBlockInto(block.data, steps, timestamps, values, at);
  return makeHistoryTable(blocks.map((b) => b.runId), blocks.map((b) => b.key), counts, total, steps, timestamps, values);
}

/**
 * The long-format metric history (one row per point) as an Arrow Table with
 * columns run_id and key (dictionary-encoded Utf8), step (Int64, MLflow's
 * step type), timestamp (Timestamp ms) and value (Float64; NaN and ±Infinity
 * kept). Built from the blocks' typed arrays in one pass each, with no
 * object per point, so 100k points take a few milliseconds.
 *
 * @example
 * const table = historyTable(await store.readMetrics([runId]));
 * table.getChild('value')?.toArray(); // Float64Array
 */
export function historyTable(blocks: readonly MetricColumns[]): Table<HistorySchema> {
  let total = 0;
  for (const block of blocks) {
    const n = block.values.length;
    if (block.steps.length !== n || block.timestamps.length !== n) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `Metric block ${block.runId}/${block.key} has columns of unequal length (steps ${block.steps.length}, timestamps ${block.timestamps.length}, values ${n}). Give every column one entry per point.`);
    }
    total += n;
  }
  const steps = new Int32Array(total * 2);
  const timestamps = new Int32Array(total * 2);
  const values = new Float64Array(total);
  let at = 0;
  for (const block of blocks) {
    putInt64(steps, at, block.steps);
    putInt64(timestamps, at, block.timestamps);
    values.set(block.values, at);
    at += block.values.length;
  }
  return makeHistoryTable(blocks.map((b) => b.runId), blocks.map((b) => b.key), blocks.map((b) => b.values.length), total, steps, timestamps, values);
}
