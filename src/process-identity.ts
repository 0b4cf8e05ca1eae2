/**
 * Telling a live process from a dead one on this host. A pid alone is not
 * enough: pids are reused, so the process start time (from /proc) names one
 * incarnation. Used by run owners (tracking/lifecycle.ts) and by the lock
 * that keeps two artifact gcs or backups apart (artifacts/gc-lock.ts).
 */
import * as fs from 'node:fs';

/** Start time of a process as the kernel reports it (clock ticks since boot), or undefined without /proc. */
export function procStartTime(pid: number | 'self'): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses; fields after it are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = rest[22 - 3];
    return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` on this host is alive and, when `startTicks` is
 * given and /proc can answer, is the same incarnation that recorded it.
 */
export function isProcessAlive(pid: number, startTicks?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTicks === undefined) return true;
  const now = procStartTime(pid);
  return now === undefined || now === startTicks;
}
