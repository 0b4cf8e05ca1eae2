/**
 * Finds RUNNING runs whose process is gone and marks them CRASHED, so a
 * killed kernel never leaves a run RUNNING forever (MLflow #3932, #1832).
 * Runs created without an owner are left alone: nothing can tell whether
 * they are still in use.
 */
import os from 'node:os';
import type { RunOwner } from '../store';
import type { Connection } from './connection';

interface RunningRow {
  readonly run_id: string;
  readonly owner_pid: number;
  readonly owner_host: string;
  readonly owner_start: string;
  readonly heartbeat_time: number | null;
}

interface Verdict {
  readonly runId: string;
  readonly endTime: number;
  readonly message: string;
}

/** Liveness is judged outside any transaction (isAlive may be slow); the update re-checks RUNNING. */
export function reap(conn: Connection, isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, dryRun = false): string[] {
  const rows = conn.read('list running runs', () => conn.stmt(`SELECT run_id, owner_pid, owner_host, owner_start, heartbeat_time
    FROM runs WHERE status = 'RUNNING' AND owner_pid IS NOT NULL AND owner_host IS NOT NULL`).all() as RunningRow[]);
  const host = os.hostname();
  const now = Date.now();
  const verdicts: Verdict[] = [];
  for (const row of rows) {
    const owner: RunOwner = { pid: row.owner_pid, host: row.owner_host, processStart: row.owner_start ?? '' };
    const lastSign = row.heartbeat_time ?? now;
    if (row.owner_host === host) {
      if (!isAlive(owner)) {
        verdicts.push({ runId: row.run_id, endTime: lastSign, message: `process ${owner.pid} on host ${host} exited without ending the run` });
      }
    } else if (row.heartbeat_time === null || now - row.heartbeat_time > staleAfterMs) {
      const since = row.heartbeat_time === null ? 'ever' : `since ${new Date(row.heartbeat_time).toISOString()}`;
      verdicts.push({
        runId: row.run_id,
        endTime: lastSign,
        message: `no heartbeat from process ${owner.pid} on host ${owner.host} ${since} (allowed: ${staleAfterMs} ms), so it is taken to have crashed`,
      });
    }
  }
  if (verdicts.length === 0 || dryRun) return verdicts.map((v) => v.runId);
  return conn.write('mark crashed runs', () => {
    const update = conn.stmt(`UPDATE runs SET status = 'CRASHED', end_time = ?, status_message = ?
      WHERE run_id = ? AND status = 'RUNNING'`);
    return verdicts.filter((v) => update.run(v.endTime, v.message, v.runId).changes === 1).map((v) => v.runId);
  });
}
