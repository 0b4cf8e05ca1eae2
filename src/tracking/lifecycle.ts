/**
 * Ends runs honestly when the process ends, and tells a live owner from a
 * dead one:
 * - normal exit and `process.exit()`: running runs end FINISHED (FAILED or
 *   KILLED when the exit code says so), or as setNormalExitOutcome() says: an
 *   interactive notebook kernel exits when it is shut down or restarted, and
 *   the runs left open there were cut short (KILLED), not finished. Every
 *   buffered point is written. Nothing can be awaited there: a synchronous
 *   store writes in place, an asynchronous one's write thread is waited for
 *   (see ClientCore.endAtExit);
 * - uncaught exception / unhandled rejection: runs end FAILED with the error
 *   message, then the error is printed as Node would and the process exits 1;
 * - SIGINT (unless the host uses it: a notebook kernel interrupts cells with
 *   it) and SIGTERM: runs end KILLED, exit code 128 + signal number;
 * - SIGKILL or a kernel crash: nothing runs here; the next store open reaps
 *   the run as CRASHED through its owner (pid, host, process start time).
 * A headless notebook (`tracklab run`) ends its runs earlier, through
 * endOpenRuns, when a cell fails or is interrupted (see notebook/headless.ts).
 */
import * as os from 'node:os';
import { inspect } from 'node:util';
import { isProcessAlive, procStartTime } from '../process-identity';
import type { RunOwner } from '../store/store';
import { runHost } from './run-host';

export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** What lifecycle needs from a client that owns running runs. */
export interface LifecycleParticipant {
  /** Marks this process's RUNNING runs alive. */
  heartbeat(now: number): void;
  /** Ends every running run this process owns, through the normal write path. */
  endAll(status: EndStatus, message: string | null): Promise<void>;
  /** Inside `process.on('exit')`: ends every owned run with its points before returning. */
  endAtExit(status: EndStatus, message: string | null): void;
}

export const HEARTBEAT_MS = 15_000;
/** Runs of other hosts count as crashed after this long without a heartbeat. */
export const STALE_AFTER_MS = 10 * 60_000;
const END_TIMEOUT_MS = 5_000;

const participants = new Set<LifecycleParticipant>();
let installed = false;
let heartbeatTimer: NodeJS.Timeout | undefined;
let owner: RunOwner | undefined;
let handling = false;
let normalExit: { readonly status: EndStatus; readonly message: string | null } = { status: 'FINISHED', message: null };

/** How runs still open at a normal exit (code 0) end; FINISHED unless said otherwise. */
export function setNormalExitOutcome(status: EndStatus, message: string | null): void {
  normalExit = { status, message };
}

export { procStartTime };

/** This process as the owner of the runs it starts. */
export function processOwner(): RunOwner {
  if (owner === undefined) {
    const ticks = procStartTime('self');
    const processStart = ticks !== undefined
      ? `proc:${ticks}`
      : `ms:${Math.round((Date.now() - process.uptime() * 1000) / 1000) * 1000}`;
    owner = { pid: process.pid, host: os.hostname(), processStart };
  }
  return owner;
}

/**
 * Whether the owner of a run still runs. Owners on other hosts count as alive
 * (the store decides by heartbeat age instead).
 */
export function isOwnerAlive(candidate: RunOwner): boolean {
  if (candidate.host !== os.hostname()) return true;
  const ticks = candidate.processStart.startsWith('proc:') ? candidate.processStart.slice('proc:'.length) : undefined;
  return isProcessAlive(candidate.pid, ticks);
}

/** Registers a client that owns running runs, installing the process hooks once. */
export function participate(p: LifecycleParticipant): void {
  participants.add(p);
  install();
  if (heartbeatTimer === undefined) {
    heartbeatTimer = setInterval(beat, HEARTBEAT_MS);
    heartbeatTimer.unref();
  }
}

/** Unregisters a client; the heartbeat timer stops at its next tick if no client is left. */
export function leave(p: LifecycleParticipant): void {
  participants.delete(p);
}

// Stopping lazily keeps a loop of short runs from making and clearing a timer per run.
function beat(): void {
  if (participants.size === 0) {
    clearInterval(heartbeatTimer);
    heartbeatTimer = undefined;
    return;
  }
  const now = Date.now();
  for (const q of participants) q.heartbeat(now);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('uncaughtException', onUncaught);
  // A notebook kernel interrupts cells with SIGINT; a handler there would kill the kernel.
  if (!runHost().ownsSigint) process.on('SIGINT', onSignal);
  // Jupyter sends SIGTERM to a kernel that has not exited 2.5 s after a shutdown request.
  process.on('SIGTERM', onSignal);
}

function onExit(code: number): void {
  const status: EndStatus = code === 0 ? normalExit.status : code === 130 || code === 143 ? 'KILLED' : 'FAILED';
  const message = code === 0 ? normalExit.message : `Process exited with code ${code}`;
  for (const p of participants) {
    try {
      p.endAtExit(status, message);
    } catch {
      // Nothing can be reported any more; the reaper marks what is left CRASHED.
    }
  }
}

/**
 * Ends every running run this process owns, through the normal write path
 * (buffered points are flushed first); gives up waiting after 5 s.
 */
export function endOpenRuns(status: EndStatus, message: string): Promise<void> {
  const all = Promise.allSettled([...participants].map((p) => p.endAll(status, message)));
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, END_TIMEOUT_MS).unref());
  return Promise.race([all.then(() => undefined), timeout]);
}

function onUncaught(err: unknown, origin: string): void {
  // Someone else handles uncaught errors: keep out of their way.
  if (process.listenerCount('uncaughtException') > 1 || handling) return;
  handling = true;
  const what = origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception';
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  void endOpenRuns('FAILED', `${what}: ${detail}`).finally(() => {
    // What Node prints for an uncaught error (without the source line, which would point here), and its exit code.
    process.stderr.write(`${inspect(err)}\n\nNode.js ${process.version}\n`);
    process.exit(1);
  });
}

function onSignal(signal: NodeJS.Signals): void {
  const code = 128 + (os.constants.signals[signal] ?? 1);
  if (handling) process.exit(code);
  if (process.listenerCount(signal) > 1) return;
  handling = true;
  void endOpenRuns('KILLED', `Received ${signal}`).finally(() => process.exit(code));
}
