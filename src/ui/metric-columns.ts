/** Metric histories for the UI's charts, through the client's plain-column read (no Arrow table in between). */
import type { MetricColumns } from '../entities';
import type { TrackingClient } from '../tracking/client';

export type SeriesColumns = MetricColumns;

/** Every point of the given runs and keys, one entry per (run, key). */
export function readSeries(client: TrackingClient, runIds: readonly string[], keys?: readonly string[]): Promise<SeriesColumns[]> {
  return client.metricColumns(runIds, keys);
}
