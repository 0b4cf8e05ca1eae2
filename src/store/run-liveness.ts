/**
 * Which RUNNING runs have lost their process, for every backend's reaper, so
 * a killed kernel never leaves a run RUNNING forever (MLflow #3932, #1832).
 * A pid means something only on its own host: a run of this host is judged
 * by asking whether its process is alive (pid and start time); a run of
 * another host only by its heartbeat going quiet for longer than
 * `staleAfterMs`. A backend whose server has a clock of its own can also say
 * how long it has heard nothing (`quietMs`); then both clocks must agree, so a
 * machine whose clock runs ahead cannot crash another's live runs.
 */
import type { RunOwner } from './store';

export interface RunningRow {
  readonly run_id: string;
  readonly owner_pid: number;
  readonly owner_host: string;
  readonly owner_start: string | null;
  /** The owner's clock at its last heartbeat (or the run's start). */
  readonly heartbeat_time: number | null;
  /** Milliseconds since the last heartbeat by the server's clock; null before the first; undefined when the backend cannot tell. */
  readonly quiet_ms?: number | null;
}

export interface Verdict {
  readonly runId: string;
  /**
   * The owner's last heartbeat (now, when it never sent one). The backend
   * ends the run at the latest of this, the run's last stored point and its
   * start: points keep coming between heartbeats, so the heartbeat alone
   * would cut a short run to nothing.
   */
  readonly endTime: number;
  readonly message: string;
}

export function crashedRuns(
  rows: readonly RunningRow[], isAlive: (owner: RunOwner) => boolean, staleAfterMs: number, host: string, now: number,
): Verdict[] {
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
    const quietByServerClock = row.quiet_ms === undefined || row.quiet_ms === null || row.quiet_ms > staleAfterMs;
    if (quietByOwnerClock && quietByServerClock) {
      const since = row.heartbeat_time === null ? 'ever' : `since ${new Date(row.heartbeat_time).toISOString()}`;
      verdicts.push({
        runId: row.run_id,
        endTime: lastSign,
        message: `no heartbeat from process ${owner.pid} on host ${owner.host} ${since} (allowed: ${staleAfterMs} ms), so it is taken to have crashed`,
      });
    }
  }
  return verdicts;
}
