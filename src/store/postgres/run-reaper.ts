/**
 * Heartbeats, and marking RUNNING runs whose process is gone CRASHED (the
 * rule: ../run-liveness.ts). A team store is shared by several machines, so
 * quiet is measured twice: by the owner's clock (the heartbeat time it
 * reported) and by the server's clock since the last heartbeat arrived.
 * Runs created without an owner are left alone.
 */
import os from 'node:os';
import { crashedRuns, type RunningRow } from '../run-liveness';
import type { RunOwner } from '../store';
import type { Connection } from './connection';

export async function heartbeat(conn: Connection, runIds: readonly string[], now: number): Promise<void> {
  if (runIds.length === 0) return;
  await conn.query('record heartbeat', {
    name: 'heartbeat',
    text: `UPDATE runs SET heartbeat_time = $1, heartbeat_seen = clock_timestamp() WHERE status = 'RUNNING' AND run_id = ANY($2::text[])`,
  }, [now, runIds], true);
}

/** Liveness is judged outside any transaction (isAlive may be slow); the update re-checks RUNNING. */
export async function reap(conn: Connection, isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, dryRun = false): Promise<string[]> {
  const rows = await conn.query<RunningRow>('list running runs', `SELECT run_id, owner_pid, owner_host, owner_start, heartbeat_time,
      (extract(epoch FROM clock_timestamp() - heartbeat_seen) * 1000)::float8 AS quiet_ms
    FROM runs WHERE status = 'RUNNING' AND owner_pid IS NOT NULL AND owner_host IS NOT NULL`);
  const verdicts = crashedRuns(rows, isAlive, staleAfterMs, os.hostname(), Date.now());
  if (verdicts.length === 0 || dryRun) return verdicts.map((v) => v.runId);
  const changed = await conn.query<{ run_id: string }>('mark crashed runs', `UPDATE runs SET status = 'CRASHED', status_message = v.message,
      end_time = GREATEST(runs.start_time, v.end_time, (SELECT MAX(last_timestamp) FROM metric_summaries m WHERE m.run_id = runs.run_id))
    FROM unnest($1::text[], $2::bigint[], $3::text[]) AS v(run_id, end_time, message)
    WHERE runs.run_id = v.run_id AND runs.status = 'RUNNING' RETURNING runs.run_id`,
  [verdicts.map((v) => v.runId), verdicts.map((v) => v.endTime), verdicts.map((v) => v.message)], true);
  const done = new Set(changed.map((r) => r.run_id));
  return verdicts.filter((v) => done.has(v.runId)).map((v) => v.runId);
}
