/**
 * The sampler's worker thread: it has its own event loop, so it samples on
 * time even while the main thread trains without yielding (a loop of
 * one-epoch fits, a synchronous ml.js fit). Samples go to the main thread
 * over a MessagePort; the main thread logs them when it next runs, or all
 * at once when the run ends.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { readCounters, sampleMetrics, type Counters } from './system-sample';

export interface WorkerSample {
  readonly metrics: Record<string, number>;
  readonly timestamp: number;
}

interface Config {
  readonly intervalMs: number;
  readonly nvidiaSmi?: string;
  readonly port: MessagePort;
}

async function main(config: Config): Promise<void> {
  const start: Counters = await readCounters();
  let last = start;
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const now = await readCounters();
        const metrics = await sampleMetrics(start, last, now, config.nvidiaSmi);
        last = now;
        config.port.postMessage({ metrics, timestamp: Date.now() } satisfies WorkerSample);
      } catch (error) {
        config.port.postMessage({ error: error instanceof Error ? error.message : String(error) });
      } finally {
        busy = false;
      }
    })();
  }, config.intervalMs);
}

if (parentPort !== null) void main(workerData as Config);
