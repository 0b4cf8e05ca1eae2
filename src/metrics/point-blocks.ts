/** Single points (logBatch) as column blocks, the form every store writes. */
import type { MetricColumns, MetricPoint } from '../entities';

/** One block per key, in the order the keys first appear, keeping the points' order. */
export function pointsToBlocks(runId: string, points: readonly MetricPoint[]): MetricColumns[] {
  const byKey = new Map<string, MetricPoint[]>();
  for (const point of points) {
    let list = byKey.get(point.key);
    if (!list) byKey.set(point.key, list = []);
    list.push(point);
  }
  return [...byKey].map(([key, list]) => ({
    runId,
    key,
    steps: Float64Array.from(list, (p) => p.step),
    timestamps: Float64Array.from(list, (p) => p.timestamp),
    values: Float64Array.from(list, (p) => p.value),
  }));
}
