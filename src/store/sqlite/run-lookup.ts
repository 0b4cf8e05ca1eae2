/** Finding runs by id, with the errors every run operation shares. */
import type { MetricSummary, Run } from '../../entities';
import { parseRecord, recordFrom } from '../../records';
import { TracklabError } from '../../errors';
import type { Connection } from './connection';
import { RUN_COLUMNS, type RunRow, runInfoFromRow, SUMMARY_COLUMNS, summaryFromRow } from './rows';

export function findRun(conn: Connection, runId: string): RunRow | undefined {
  return conn.stmt(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = ?`).get(runId) as RunRow | undefined;
}

export function requireRun(conn: Connection, runId: string): RunRow {
  const row = findRun(conn, runId);
  if (!row) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
      `No run with id "${runId}". Check the id; \`tracklab runs\` lists the runs of an experiment.`);
  }
  return row;
}

/** A run that may still receive data: it exists and is not deleted. */
export function requireLoggableRun(conn: Connection, runId: string): RunRow {
  return assertLoggable(requireRun(conn, runId));
}

export function assertLoggable(row: RunRow): RunRow {
  const runId = row.run_id;
  if (row.lifecycle_stage !== 'active') {
    throw new TracklabError('INVALID_STATE',
      `Run ${row.run_name} (${runId}) is deleted, so nothing more can be logged to it. Restore it first, or log to a new run.`);
  }
  return row;
}

/** Run ids as a JSON array parameter, for `json_each(?)` joins that keep the query count constant. */
export function idList(ids: readonly string[]): string {
  return JSON.stringify(ids);
}

/**
 * Full runs (info, params, tags, metric summaries) for `ids`, in that order,
 * in one query whatever the count. Ids without a run are left out.
 *
 * Each run's params, tags and summaries come aggregated as JSON, because
 * materialising one JS row object per param costs far more than SQLite's
 * json_group_* plus JSON.parse. SQLite (3.53, bundled with better-sqlite3)
 * prints doubles with 17 digits and ±Infinity as ±9e999, which JSON.parse
 * reads back exactly; the contract suite checks that round trip.
 */
export function hydrateRuns(conn: Connection, ids: readonly string[]): Run[] {
  if (ids.length === 0) return [];
  const rows = conn.stmt(`SELECT ${RUN_COLUMNS},
      (SELECT json_group_object(p.key, p.value) FROM params p WHERE p.run_id = r.run_id) AS params_json,
      (SELECT json_group_object(t.key, t.value) FROM tags t WHERE t.run_id = r.run_id) AS tags_json,
      (SELECT json_group_array(json_array(${SUMMARY_COLUMNS})) FROM metric_summaries s WHERE s.run_id = r.run_id) AS metrics_json
    FROM json_each(?) j CROSS JOIN runs r ON r.run_id = j.value ORDER BY j.key`).all(idList(ids)) as HydrationRow[];
  // Prototype-free records: a key like "__proto__" or "constructor" is a plain key, and an absent one reads as undefined.
  return rows.map((row) => ({
    info: runInfoFromRow(row),
    data: {
      params: parseRecord<string>(row.params_json),
      tags: parseRecord<string>(row.tags_json),
      metrics: recordFrom((JSON.parse(row.metrics_json) as SummaryTuple[]).map((t) => [t[0], summaryFromTuple(t)])),
    },
  }));
}

interface HydrationRow extends RunRow {
  readonly params_json: string;
  readonly tags_json: string;
  readonly metrics_json: string;
}

/** SUMMARY_COLUMNS in order, as json_array gives them. */
type SummaryTuple = [string, number | null, number, number, number, number | null, number | null, number, number];

function summaryFromTuple(t: SummaryTuple): MetricSummary {
  return summaryFromRow({
    key: t[0], last_value: t[1], last_is_nan: t[2], last_step: t[3], last_timestamp: t[4],
    min_value: t[5], max_value: t[6], count: t[7], neg_zero_mask: t[8],
  });
}
