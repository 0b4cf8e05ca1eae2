/**
 * The sampler's worker thread, one per process and shared by every sampled
 * run (a thread costs tens of milliseconds to start; a run should not pay
 * that again). It has its own event loop, so it samples on time even while
 * the main thread trains without yielding (a loop of one-epoch fits, a
 * synchronous ml.js fit). Each run's samples go over its own MessagePort;
 * the main thread logs them when it next runs, or all at once when the run
 * ends.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { readCounters, sampleMetrics, type Counters } from './system-sample';

export interface WorkerSample {
  readonly metrics: Record<string, number>;
  readonly timestamp: number;
}

export type WorkerCommand =
  | { readonly type: 'start'; readonly id: number; readonly intervalMs: number; readonly nvidiaSmi?: string; readonly port: MessagePort }
  | { readonly type: 'stop'; readonly id: number };

const sessions = new Map<number, { timer: NodeJS.Timeout; port: MessagePort }>();

async function start(command: Extract<WorkerCommand, { type: 'start' }>): Promise<void> {
  const begin: Counters = await readCounters();
  let last = begin;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const now = await readCounters();
        const metrics = await sampleMetrics(begin, last, now, command.nvidiaSmi);
        last = now;
        if (sessions.has(command.id)) command.port.postMessage({ metrics, timestamp: Date.now() } satisfies WorkerSample);
      } catch (error) {
        command.port.postMessage({ error: error instanceof Error ? error.message : String(error) });
      } finally {
        busy = false;
      }
    })();
  }, command.intervalMs);
  sessions.set(command.id, { timer, port: command.port });
}

parentPort?.on('message', (command: WorkerCommand) => {
  if (command.type === 'start') {
    void start(command);
  } else {
    const session = sessions.get(command.id);
    sessions.delete(command.id);
    if (session) {
      clearInterval(session.timer);
      session.port.close();
    }
  }
});
