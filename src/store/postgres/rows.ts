/** PostgreSQL's float8 and summary forms, and the run lookups every run operation shares (row shapes: ../rows.ts). */
import type { MetricSummary, Run } from '../../entities';
import { TracklabError } from '../../errors';
import { RUN_COLUMNS, runInfoFromRow, type RunRow } from '../rows';
import type { Query } from './connection';

export { experimentFromRow, type ExperimentRow, RUN_COLUMNS, runInfoFromRow, type RunRow } from '../rows';

/**
 * A float8 as it comes out of PostgreSQL's JSON: a number, or a string for
 * NaN and ±Infinity (JSON has no literal for them). -0 stays -0.
 */
export function jsonFloat(value: number | string | null): number {
  if (value === null) return NaN;
  if (typeof value === 'number') return value;
  return value === 'NaN' ? NaN : value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : Number(value);
}

/** A float8 parameter: pg sends numbers through String(), which writes -0 as "0". */
export function f8(x: number): number | string {
  return x === 0 && 1 / x < 0 ? '-0' : x;
}

/** Columns of metric_summaries in the order `summaryFromTuple` reads them. */
export const SUMMARY_TUPLE = 's.key, s.last_value, s.last_step, s.last_timestamp, s.min_value, s.max_value, s.count';
export type SummaryTuple = [string, number | string, number, number, number | string | null, number | string | null, number];

export function summaryFromTuple(t: SummaryTuple): MetricSummary {
  return { key: t[0], last: jsonFloat(t[1]), lastStep: t[2], lastTimestamp: t[3], min: jsonFloat(t[4]), max: jsonFloat(t[5]), count: t[6] };
}

export async function findRun(q: Query, runId: string): Promise<RunRow | undefined> {
  const [row] = await q<RunRow>({ name: 'find-run', text: `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = $1` }, [runId]);
  return row;
}

export function noRun(runId: string): TracklabError {
  return new TracklabError('RESOURCE_DOES_NOT_EXIST', `No run with id "${runId}". Check the id; \`tracklab runs\` lists the runs of an experiment.`);
}

export async function requireRun(q: Query, runId: string): Promise<RunRow> {
  const row = await findRun(q, runId);
  if (!row) throw noRun(runId);
  return row;
}

/** A run that may still receive data: it exists and is not deleted. */
export function assertLoggable(row: RunRow): RunRow {
  if (row.lifecycle_stage !== 'active') {
    throw new TracklabError('INVALID_STATE',
      `Run ${row.run_name} (${row.run_id}) is deleted, so nothing more can be logged to it. Restore it first, or log to a new run.`);
  }
  return row;
}

export async function requireLoggableRun(q: Query, runId: string): Promise<RunRow> {
  return assertLoggable(await requireRun(q, runId));
}

/**
 * Full runs (info, params, tags, metric summaries) for `ids`, in that order,
 * in one statement whatever the count; ids without a run are left out.
 * Params, tags and summaries come aggregated as JSON: one row per run instead
 * of one per param. JSON.parse defines keys as own properties, so a key like
 * "__proto__" stays a plain key.
 */
export async function hydrateRuns(q: Query, ids: readonly string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  const rows = await q<HydrationRow>({
    name: 'hydrate-runs',
    text: `SELECT ${RUN_COLUMNS},
      (SELECT json_object_agg(p.key, p.value) FROM params p WHERE p.run_id = r.run_id)::text AS params_json,
      (SELECT json_object_agg(t.key, t.value) FROM tags t WHERE t.run_id = r.run_id)::text AS tags_json,
      (SELECT json_agg(json_build_array(${SUMMARY_TUPLE})) FROM metric_summaries s WHERE s.run_id = r.run_id)::text AS metrics_json
    FROM unnest($1::text[]) WITH ORDINALITY AS j(id, ord) JOIN runs r ON r.run_id = j.id ORDER BY j.ord`,
  }, [ids]);
  return rows.map((row) => ({
    info: runInfoFromRow(row),
    data: {
      params: row.params_json === null ? {} : JSON.parse(row.params_json) as Record<string, string>,
      tags: row.tags_json === null ? {} : JSON.parse(row.tags_json) as Record<string, string>,
      metrics: row.metrics_json === null ? {}
        : Object.fromEntries((JSON.parse(row.metrics_json) as SummaryTuple[]).map((t) => [t[0], summaryFromTuple(t)])),
    },
  }));
}

interface HydrationRow extends RunRow {
  readonly params_json: string | null;
  readonly tags_json: string | null;
  readonly metrics_json: string | null;
}
