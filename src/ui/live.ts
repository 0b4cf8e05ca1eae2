/**
 * Server-sent events for live pages. The server polls the store through the
 * client (one small read per stream per tick) and pushes only what changed:
 * a run's status and metric summaries, or the count of runs started since a
 * table was drawn. The browser never re-polls a whole table; it patches
 * rows and redraws the charts whose point count moved.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Run } from '../entities';
import type { TrackingClient } from '../tracking/client';
import { securityHeaders } from './security';

const KEEPALIVE_MS = 15_000;
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface RunUpdate {
  readonly runId: string;
  readonly status: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly metrics: Readonly<Record<string, { last: number; min: number; max: number; count: number; lastStep: number }>>;
}

export function runUpdate(run: Run): RunUpdate {
  const metrics: Record<string, RunUpdate['metrics'][string]> = {};
  for (const m of Object.values(run.data.metrics)) metrics[m.key] = { last: m.last, min: m.min, max: m.max, count: m.count, lastStep: m.lastStep };
  return { runId: run.info.runId, status: run.info.status, startTime: run.info.startTime, endTime: run.info.endTime, metrics };
}

function signature(u: RunUpdate): string {
  return `${u.status}|${u.endTime}|${Object.entries(u.metrics).map(([k, m]) => `${k}:${m.count}:${m.lastStep}`).sort().join(',')}`;
}

/** JSON for an SSE data line: non-finite numbers as strings ("NaN", "Infinity"), which JSON cannot carry. */
function encode(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export class LiveHub {
  private readonly streams = new Set<() => void>();

  constructor(private readonly client: TrackingClient, private readonly pollMs: number) {}

  /** `/ui-api/events/run/<id>`: `run` events until the run ends, then `end`. */
  runStream(runId: string, req: IncomingMessage, res: ServerResponse): void {
    let last = '';
    this.open(req, res, async (send, stop) => {
      const update = runUpdate(await this.client.getRun(runId));
      const sig = signature(update);
      if (sig !== last) {
        last = sig;
        send('run', update);
      }
      if (update.status !== 'RUNNING') {
        send('end', { status: update.status });
        stop();
      }
    });
  }

  /** `/ui-api/events/runs?experiment=E&ids=a,b&since=T`: `run` events for the listed runs, `new` with the count of runs started after T. */
  tableStream(query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const experiment = query.get('experiment') ?? '';
    const watched = new Set((query.get('ids') ?? '').split(',').filter((id) => SAFE_ID.test(id)));
    const since = Number(query.get('since') ?? Date.now());
    const seen = new Map<string, string>();
    let newCount = 0;
    this.open(req, res, async (send) => {
      if (watched.size > 0) {
        const ids = [...watched];
        const { runs } = await this.client.searchRuns({ experiments: [experiment], filter: `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(', ')})`, maxResults: ids.length });
        for (const run of runs) {
          const update = runUpdate(run);
          const sig = signature(update);
          if (seen.get(run.info.runId) !== sig) {
            const first = !seen.has(run.info.runId);
            seen.set(run.info.runId, sig);
            if (!first) send('run', update);
          }
          if (run.info.status !== 'RUNNING') watched.delete(run.info.runId);
        }
      }
      if (Number.isFinite(since)) {
        const n = await this.client.countRuns({ experiments: [experiment], filter: `attributes.start_time > ${Math.floor(since)}` });
        if (n !== newCount) {
          newCount = n;
          send('new', { count: n });
        }
      }
    });
  }

  /** Ends every open stream (server shutdown). */
  close(): void {
    for (const stop of [...this.streams]) stop();
  }

  private open(req: IncomingMessage, res: ServerResponse, tick: (send: (event: string, data: unknown) => void, stop: () => void) => Promise<void>): void {
    res.writeHead(200, { ...securityHeaders(), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let lastWrite = Date.now();
    const send = (event: string, data: unknown) => {
      if (closed) return;
      res.write(`event: ${event}\ndata: ${encode(data)}\n\n`);
      lastWrite = Date.now();
    };
    const stop = () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      this.streams.delete(stop);
      res.end();
    };
    this.streams.add(stop);
    req.on('close', stop);
    const loop = async () => {
      try {
        await tick(send, stop);
      } catch (err) {
        send('error', { message: err instanceof Error ? err.message : String(err) });
        stop();
        return;
      }
      if (closed) return;
      if (Date.now() - lastWrite > KEEPALIVE_MS) {
        res.write(': keepalive\n\n');
        lastWrite = Date.now();
      }
      timer = setTimeout(() => void loop(), this.pollMs);
    };
    void loop();
  }
}
