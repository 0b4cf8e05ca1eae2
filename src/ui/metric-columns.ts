/**
 * A metric history as plain Float64Arrays (steps, timestamps, values), read
 * from the client's Arrow table without a BigInt per point: int64 columns
 * are read as pairs of 32-bit words (exact below 2^53, as every step and
 * millisecond timestamp is).
 */
import type { Table, Vector } from 'apache-arrow';
import type { TrackingClient } from '../tracking/client';

export interface SeriesColumns {
  readonly runId: string;
  readonly key: string;
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

function toFloat64(vector: Vector | null, length: number): Float64Array {
  const out = new Float64Array(length);
  if (!vector) return out;
  let at = 0;
  for (const chunk of vector.data) {
    const values = chunk.values as ArrayLike<number> | BigInt64Array;
    const offset = chunk.offset;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < chunk.length; i++) {
        const w = (offset + i) * 2;
        out[at++] = (words[w] >>> 0) + words[w + 1] * 4294967296;
      }
    } else {
      for (let i = 0; i < chunk.length; i++) out[at++] = Number((values as ArrayLike<number>)[offset + i]);
    }
  }
  return out;
}

/** Splits a history table (run_id, key, step, timestamp, value) into one SeriesColumns per (run, key), in table order. */
export function seriesOf(table: Table): SeriesColumns[] {
  const n = table.numRows;
  const steps = toFloat64(table.getChild('step'), n);
  const timestamps = toFloat64(table.getChild('timestamp'), n);
  const values = toFloat64(table.getChild('value'), n);
  const runs = table.getChild('run_id');
  const keys = table.getChild('key');
  const out: SeriesColumns[] = [];
  let start = 0;
  let runId = n > 0 ? String(runs?.get(0)) : '';
  let key = n > 0 ? String(keys?.get(0)) : '';
  const cut = (end: number) => {
    if (end > start) out.push({ runId, key, steps: steps.subarray(start, end), timestamps: timestamps.subarray(start, end), values: values.subarray(start, end) });
  };
  // Dictionary columns hold small integer indices as their values: compare those, not strings, per row.
  const runIdx = toFloat64(runs, n);
  const keyIdx = toFloat64(keys, n);
  for (let i = 1; i < n; i++) {
    if (runIdx[i] !== runIdx[i - 1] || keyIdx[i] !== keyIdx[i - 1]) {
      cut(i);
      start = i;
      runId = String(runs?.get(i));
      key = String(keys?.get(i));
    }
  }
  cut(n);
  return out;
}

/** Every point of the given runs and keys. */
export async function readSeries(client: TrackingClient, runIds: readonly string[], keys?: readonly string[]): Promise<SeriesColumns[]> {
  return seriesOf(await client.metricHistory(runIds, keys));
}
