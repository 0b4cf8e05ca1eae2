/**
 * Runs side by side as two tables, for the terminal (`tracklab compare`):
 * every param with the ones that differ marked, and each metric's
 * last/min/max per run with the best run (every one, on a tie) marked.
 * Pure: runs in, tables out.
 */
import type { MetricSummary, Run } from '../entities';
import { runLabels } from '../charts/series';
import { bestIndices, differingParams, inferMode, metricKeys, type Mode } from './run-metrics';
import type { Cell, Table } from './table';

export interface ParamDiff {
  readonly key: string;
  /** By run id; null where the run has no such param. */
  readonly values: Readonly<Record<string, string | null>>;
  readonly differs: boolean;
}

export interface MetricDiff {
  readonly key: string;
  readonly mode: Mode;
  /**
   * Every run tied for the best last value (equal values), in the order given;
   * empty when none is finite.
   */
  readonly bestRuns: readonly string[];
  /** The first of `bestRuns`, or null: the field scripts read before ties were all marked. */
  readonly best: string | null;
  readonly values: Readonly<Record<string, Pick<MetricSummary, 'last' | 'min' | 'max' | 'count'> | null>>;
}

/** Every param of any run, by key, and whether its value (a missing one included) differs. */
export function paramDiffs(runs: readonly Run[]): ParamDiff[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))].sort();
  const differing = new Set(runs.length > 1 ? differingParams(runs) : []);
  return keys.map((key) => ({
    key, values: Object.fromEntries(runs.map((r) => [r.info.runId, r.data.params[key] ?? null])), differs: differing.has(key),
  }));
}

/** Each metric of any run (or only `keys`), best run by last value: min for loss/error-like keys, else max. */
export function metricDiffs(runs: readonly Run[], keys?: readonly string[]): MetricDiff[] {
  const all = keys ?? metricKeys(runs).sort();
  return all.map((key) => {
    const mode = inferMode(key);
    const bestRuns = bestIndices(runs.map((r) => r.data.metrics[key]?.last ?? NaN), mode).map((i) => runs[i].info.runId);
    const values = Object.fromEntries(runs.map((r) => {
      const m = r.data.metrics[key];
      return [r.info.runId, m ? { last: m.last, min: m.min, max: m.max, count: m.count } : null];
    }));
    return { key, mode, bestRuns, best: bestRuns[0] ?? null, values };
  });
}

/** Params as rows, one column per run. */
export function paramDiffTable(runs: readonly Run[], diffs: readonly ParamDiff[]): Table {
  const labels = runLabels(runs.map((r) => r.info));
  return {
    caption: 'params',
    columns: [{ title: 'param' }, ...runs.map((r) => ({ title: labels.get(r.info.runId) ?? r.info.runId }))],
    rows: diffs.map((d) => ({ cells: [d.key, ...runs.map((r): Cell => d.values[r.info.runId] ?? null)], highlight: d.differs })),
    highlightLabel: 'differs between the runs',
  };
}

/** One row per metric and run: last, min, max and points. */
export function metricDiffTable(runs: readonly Run[], diffs: readonly MetricDiff[]): Table {
  const labels = runLabels(runs.map((r) => r.info));
  return {
    caption: 'metrics',
    columns: [{ title: 'metric' }, { title: 'run' }, { title: 'last', align: 'right' }, { title: 'min', align: 'right' },
      { title: 'max', align: 'right' }, { title: 'points', align: 'right' }],
    rows: diffs.flatMap((d) => runs.map((r) => {
      const v = d.values[r.info.runId];
      return {
        cells: [`${d.key} (${d.mode})`, labels.get(r.info.runId) ?? r.info.runId, v?.last ?? null, v?.min ?? null, v?.max ?? null, v?.count ?? null],
        highlight: d.bestRuns.includes(r.info.runId),
      };
    })),
    highlightLabel: 'best run of the metric, by its last value (min or max as shown); runs tied for best are all marked',
  };
}
