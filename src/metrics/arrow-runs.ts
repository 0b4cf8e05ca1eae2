import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import type { Run } from '../entities';

/** The fixed columns of {@link runsTable}, before the `params.*`, `metrics.*` and `tags.*` ones. */
export const RUN_COLUMNS = ['run_id', 'run_name', 'experiment_id', 'status', 'start_time', 'end_time', 'parent_run_id'] as const;

function sortedKeys(runs: readonly Run[], pick: (run: Run) => object): string[] {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(pick(run))) keys.add(key);
  return [...keys].sort();
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * One row per run, like MLflow's `search_runs` DataFrame: run_id, run_name,
 * experiment_id, status, start_time, end_time (Timestamp ms), parent_run_id,
 * then `params.<k>` (Utf8), `metrics.<k>` (Float64, the last value) and
 * `tags.<k>` (Utf8) for every key any run has, sorted; null where a run lacks
 * one. Keys become column names verbatim (a key with "." stays one column).
 *
 * @example
 * const table = runsTable((await store.searchRuns(query)).runs);
 * table.getChild('metrics.loss')?.toArray();
 */
export function runsTable(runs: readonly Run[]): Table {
  const columns: Record<string, Vector> = {
    run_id: vectorFromArray(runs.map((r) => r.info.runId), new Utf8()),
    run_name: vectorFromArray(runs.map((r) => r.info.runName), new Utf8()),
    experiment_id: vectorFromArray(runs.map((r) => r.info.experimentId), new Utf8()),
    status: vectorFromArray(runs.map((r) => r.info.status), new Utf8()),
    start_time: vectorFromArray(runs.map((r) => r.info.startTime), new TimestampMillisecond()),
    end_time: vectorFromArray(runs.map((r) => r.info.endTime), new TimestampMillisecond()),
    parent_run_id: vectorFromArray(runs.map((r) => r.info.parentRunId), new Utf8()),
  };
  for (const key of sortedKeys(runs, (r) => r.data.params)) {
    columns[`params.${key}`] = vectorFromArray(runs.map((r) => own(r.data.params, key) ?? null), new Utf8());
  }
  for (const key of sortedKeys(runs, (r) => r.data.metrics)) {
    columns[`metrics.${key}`] = vectorFromArray(runs.map((r) => own(r.data.metrics, key)?.last ?? null), new Float64());
  }
  for (const key of sortedKeys(runs, (r) => r.data.tags)) {
    columns[`tags.${key}`] = vectorFromArray(runs.map((r) => own(r.data.tags, key) ?? null), new Utf8());
  }
  return new Table(columns);
}
