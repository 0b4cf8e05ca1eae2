import type { CellRecord, DatasetInput, Run } from '../entities';
import { smallMultiplesSpec } from '../charts/small-multiples';
import type { MetricSeries } from '../charts/series';
import type { DisplayBundle } from './bundle';
import { boundedChartBundle } from './chart-bundle';
import { runCardBundles } from './run-card';
import { emptyRecord } from '../records';
import type { ImageCell } from './image-views';
import { groupTags, noteOf } from './run-tags';

/**
 * What `show(run)` displays: the run card in its final state (status, note,
 * params, latest metrics with sparklines, datasets, provenance, executed
 * cells) and, when the run has histories, one interactive chart per metric.
 *
 * @example
 * for (const b of await runBundle(run, histories)) display(b);
 */
export async function runBundle(run: Run, histories: readonly MetricSeries[], options: { cells?: readonly CellRecord[]; inputs?: readonly DatasetInput[]; images?: readonly (ImageCell & { readonly key: string })[] } = {}): Promise<DisplayBundle[]> {
  const own = histories.filter((s) => s.runId === run.info.runId);
  const latest = emptyRecord<{ value: number; step: number }>();
  for (const [key, m] of Object.entries(run.data.metrics)) latest[key] = { value: m.last, step: m.lastStep };
  const [card] = runCardBundles({
    runName: run.info.runName,
    runId: run.info.runId,
    status: run.info.status,
    statusMessage: run.info.statusMessage,
    params: run.data.params,
    latest,
    series: own,
    cells: options.cells?.map((c) => ({
      executionCount: c.executionCount,
      source: c.source,
      durationMs: c.endTime !== null ? c.endTime - c.startTime : null,
      status: c.status,
    })),
    note: noteOf(run.data.tags),
    inputs: options.inputs,
    images: options.images,
    provenance: groupTags(run.data.tags).provenance,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
  });
  if (own.length === 0) return [card];
  const keys = new Set(own.map((s) => s.key)).size;
  const chart = await boundedChartBundle(
    (scale) => smallMultiplesSpec(run.info.runName || run.info.runId, own, { maxTotalPoints: Math.round(5000 * scale) }),
    `${keys} metric chart(s) for run ${run.info.runName}`,
  );
  return [card, chart];
}
