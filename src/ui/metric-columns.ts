/** Metric histories for the UI's charts, through the client's plain-column read (no Arrow table in between). */
import type { MetricColumns } from '../entities';
import type { TrackingClient } from '../tracking/client';

export type SeriesColumns = MetricColumns;

/** Every point of the given runs and keys, one entry per (run, key), in stored order. */
export async function readSeries(client: TrackingClient, runIds: readonly string[], keys?: readonly string[]): Promise<SeriesColumns[]> {
  return joinBlocks(await client.metricColumns(runIds, keys));
}

/** The client returns a long history as several blocks; a chart wants one series per (run, key). */
export function joinBlocks(blocks: readonly MetricColumns[]): SeriesColumns[] {
  const groups = new Map<string, MetricColumns[]>();
  for (const b of blocks) {
    const id = `${b.runId}\u0000${b.key}`;
    const list = groups.get(id);
    if (list) list.push(b);
    else groups.set(id, [b]);
  }
  return [...groups.values()].map((list) => {
    if (list.length === 1) return list[0];
    const n = list.reduce((sum, b) => sum + b.values.length, 0);
    const steps = new Float64Array(n);
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    let at = 0;
    for (const b of list) {
      steps.set(b.steps, at);
      timestamps.set(b.timestamps, at);
      values.set(b.values, at);
      at += b.values.length;
    }
    return { runId: list[0].runId, key: list[0].key, steps, timestamps, values };
  });
}
