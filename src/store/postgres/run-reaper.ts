/**
 * Finds RUNNING runs whose process is gone and marks them CRASHED, so a
 * killed kernel never leaves a run RUNNING forever (MLflow #3932, #1832).
 *
 * A team store is shared by several machines, and a pid means something only
 * on its own host. So a run of this host is judged by asking whether its
 * process is alive (pid and start time); a run of another host only by its
 * heartbeat going quiet. Quiet is measured twice: by the owner's own clock
 * (the heartbeat time it reported) against ours, and by the server's clock
 * between the last heartbeat's arrival and now. Both must exceed the limit,
 * so a machine whose clock runs ahead cannot crash another's live runs.
 * Runs created without an owner are left alone.
 */
import os from 'node:os';
import type { RunOwner } from '../store';
import type { Connection } from './connection';

interface RunningRow {
  readonly run_id: string;
  readonly owner_pid: number;
  readonly owner_host: string;
  readonly owner_start: string | null;
  readonly heartbeat_time: number | null;
  /** Milliseconds since the server received the last heartbeat, by the server's clock; null before the first. */
  readonly quiet_ms: number | null;
}

interface Verdict {
  readonly runId: string;
  readonly endTime: number;
  readonly message: string;
}

export async function heartbeat(conn: Connection, runIds: readonly string[], now: number): Promise<void> {
  if (runIds.length === 0) return;
  await conn.query('record heartbeat', {
    name: 'heartbeat',
    text: `UPDATE runs SET heartbeat_time = $1, heartbeat_seen = clock_timestamp() WHERE status = 'RUNNING' AND run_id = ANY($2::text[])`,
  }, [now, runIds], true);
}

/** Liveness is judged outside any transaction (isAlive may be slow); the update re-checks RUNNING. */
export async function reap(conn: Connection, isAlive: (owner: RunOwner) => boolean, staleAfterMs: number): Promise<string[]> {
  const rows = await conn.query<RunningRow>('list running runs', `SELECT run_id, owner_pid, owner_host, owner_start, heartbeat_time,
      (extract(epoch FROM clock_timestamp() - heartbeat_seen) * 1000)::float8 AS quiet_ms
    FROM runs WHERE status = 'RUNNING' AND owner_pid IS NOT NULL AND owner_host IS NOT NULL`);
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
      continue;
    }
    const quietByOwnerClock = row.heartbeat_time === null || now - row.heartbeat_time > staleAfterMs;
    const quietByServerClock = row.quiet_ms === null || row.quiet_ms > staleAfterMs;
    if (quietByOwnerClock && quietByServerClock) {
      const since = row.heartbeat_time === null ? 'ever' : `since ${new Date(row.heartbeat_time).toISOString()}`;
      verdicts.push({
        runId: row.run_id,
        endTime: lastSign,
        message: `no heartbeat from process ${owner.pid} on host ${owner.host} ${since} (allowed: ${staleAfterMs} ms), so it is taken to have crashed`,
      });
    }
  }
  if (verdicts.length === 0) return [];
  const changed = await conn.query<{ run_id: string }>('mark crashed runs', `UPDATE runs SET status = 'CRASHED', end_time = v.end_time, status_message = v.message
    FROM unnest($1::text[], $2::bigint[], $3::text[]) AS v(run_id, end_time, message)
    WHERE runs.run_id = v.run_id AND runs.status = 'RUNNING' RETURNING runs.run_id`,
  [verdicts.map((v) => v.runId), verdicts.map((v) => v.endTime), verdicts.map((v) => v.message)], true);
  const done = new Set(changed.map((r) => r.run_id));
  return verdicts.filter((v) => done.has(v.runId)).map((v) => v.runId);
}
