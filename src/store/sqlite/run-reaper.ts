/**
 * Marks RUNNING runs whose process is gone CRASHED (the rule: ../run-liveness.ts).
 * Runs created without an owner are left alone: nothing can tell whether
 * they are still in use.
 */
import os from 'node:os';
import { crashedRuns, type RunningRow } from '../run-liveness';
import type { RunOwner } from '../store';
import type { Connection } from './connection';
import { applyJournal } from './run-journal';

/** Liveness is judged outside any transaction (isAlive may be slow); the update re-checks RUNNING. */
export function reap(conn: Connection, isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, dryRun = false): string[] {
  const rows = conn.read('list running runs', () => conn.stmt(`SELECT run_id, owner_pid, owner_host, owner_start, heartbeat_time
    FROM runs WHERE status = 'RUNNING' AND owner_pid IS NOT NULL AND owner_host IS NOT NULL`).all() as RunningRow[]);
  const verdicts = crashedRuns(rows, isAlive, staleAfterMs, os.hostname(), Date.now());
  if (verdicts.length === 0 || dryRun) return verdicts.map((v) => v.runId);
  return conn.write('mark crashed runs', () => {
    applyJournal(conn); // the run's last points may still sit in the journal
    const update = conn.stmt(`UPDATE runs SET status = 'CRASHED', status_message = ?,
        end_time = MAX(start_time, ?, IFNULL((SELECT MAX(last_timestamp) FROM metric_summaries m WHERE m.run_id = runs.run_id), 0))
      WHERE run_id = ? AND status = 'RUNNING'`);
    return verdicts.filter((v) => update.run(v.message, v.endTime, v.runId).changes === 1).map((v) => v.runId);
  });
}
