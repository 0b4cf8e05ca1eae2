/**
 * The table printed after a sweep: each point's params, status and key
 * metric, the best point marked. A point's metric is read from its project
 * run and the runs created inside it (the notebook's own runs); with several,
 * the best last value counts.
 */
import type { Run } from '../entities';
import type { Table } from '../views/table';
import { describePoint } from './param-grid';
import type { PointResult } from './project-run';

export interface SweepSummary {
  readonly table: Table;
  readonly metric?: string;
  readonly mode: 'min' | 'max';
  /** Index of the best point, if any point has the metric. */
  readonly best?: number;
  /** Per point, its metric value (undefined when it has none). */
  readonly values: readonly (number | undefined)[];
}

function lossLike(key: string): boolean {
  return /loss|error|err$|mse|mae|rmse|perplexity/i.test(key);
}

/** The metric most points report, loss-like keys first, then by name. */
export function defaultSweepMetric(runsPerPoint: readonly (readonly Run[])[]): string | undefined {
  const counts = new Map<string, number>();
  for (const runs of runsPerPoint) {
    const keys = new Set(runs.flatMap((r) => Object.keys(r.data.metrics)));
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const rank = (k: string): number => (/^val_?loss$/i.test(k) ? 0 : lossLike(k) ? 1 : 2);
  return [...counts].sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))[0]?.[0];
}

export function sweepSummary(
  points: readonly (PointResult | undefined)[], grid: readonly Readonly<Record<string, string>>[], runsPerPoint: readonly (readonly Run[])[],
  options: { metric?: string; mode?: 'min' | 'max'; caption?: string } = {},
): SweepSummary {
  const metric = options.metric ?? defaultSweepMetric(runsPerPoint);
  const mode = options.mode ?? (metric !== undefined && lossLike(metric) ? 'min' : 'max');
  const better = (a: number, b: number): boolean => (mode === 'min' ? a < b : a > b);
  const values = runsPerPoint.map((runs) => {
    let value: number | undefined;
    for (const run of runs) {
      const last = metric === undefined ? undefined : run.data.metrics[metric]?.last;
      if (last === undefined || Number.isNaN(last)) continue;
      if (value === undefined || better(last, value)) value = last;
    }
    return value;
  });
  let best: number | undefined;
  values.forEach((v, i) => {
    if (v !== undefined && points[i]?.status === 'FINISHED' && (best === undefined || better(v, values[best]!))) best = i;
  });
  const keys = Object.keys(grid[0] ?? {});
  const table: Table = {
    caption: options.caption,
    columns: [
      { title: '#', align: 'right' }, { title: 'run' }, { title: 'status' },
      ...keys.map((k) => ({ title: k })),
      ...(metric ? [{ title: `${metric} (${mode})`, align: 'right' as const }] : []),
    ],
    rows: grid.map((point, i) => ({
      cells: [
        i + 1, points[i]?.runName ?? '', points[i]?.status ?? 'NOT RUN',
        ...keys.map((k) => point[k] ?? ''),
        ...(metric ? [values[i] ?? null] : []),
      ],
      highlight: i === best,
    })),
    note: best === undefined
      ? (metric ? `no finished point logged ${metric}` : 'no point logged a metric')
      : `best: #${best + 1} ${points[best]?.runName ?? ''} (${describePoint(grid[best]!)})`,
  };
  return { table, metric, mode, best, values };
}
