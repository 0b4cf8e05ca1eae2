/** Writing a run's params (write-once) and tags (upserted); callers hold the write transaction. */
import { TracklabError } from '../../errors';
import type { Connection } from './connection';

type StringMap = Readonly<Record<string, string>>;

/**
 * Params are write-once: all are checked before any is written, so a conflict
 * leaves the run untouched. A new run has nothing to conflict with, so its
 * check is skipped. One statement per map whatever its size: json_each turns
 * the object into (key, value) rows.
 */
export function writeParamsAndTags(
  conn: Connection, runId: string, runName: string, params: StringMap | undefined, tags: StringMap | undefined, newRun: boolean,
): void {
  if (params && hasKeys(params)) {
    const json = JSON.stringify(params);
    if (!newRun) {
      // CROSS JOIN keeps json_each outside: one primary-key lookup per new param, whatever the run already has
      // (with a plain JOIN SQLite scanned the run's params and re-read the JSON for each: quadratic in params).
      const clash = conn.stmt(`SELECT j.key, j.value AS wanted, p.value AS existing FROM json_each(?) j
        CROSS JOIN params p ON p.run_id = ? AND p.key = j.key WHERE p.value != j.value LIMIT 1`).get(json, runId) as
        { key: string; wanted: string; existing: string } | undefined;
      if (clash) {
        throw new TracklabError('INVALID_PARAMETER_VALUE',
          `Param "${clash.key}" is already "${clash.existing}" on run ${runName} (${runId}); params are write-once. `
          + `Log a new run to try "${clash.wanted}".`);
      }
    }
    conn.stmt(`INSERT INTO params (run_id, key, value) SELECT ?, key, value FROM json_each(?) WHERE true
      ON CONFLICT (run_id, key) DO NOTHING`).run(runId, json);
  }
  if (tags && hasKeys(tags)) {
    conn.stmt(`INSERT INTO tags (run_id, key, value) SELECT ?, key, value FROM json_each(?) WHERE true
      ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`).run(runId, JSON.stringify(tags));
  }
}

export function hasKeys(record: StringMap): boolean {
  for (const _ in record) return true;
  return false;
}
