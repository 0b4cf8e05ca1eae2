/**
 * The runs a TrackingClient owns while they run, and the write path that ends
 * them: the hot-path metric buffer, its writes in flight, the first write
 * failure of each run, heartbeats and the exit paths that lifecycle.ts drives.
 * Store writes are ordered here: a run's end waits for the writes before it,
 * then takes its buffered points into the same write.
 */
import type { MetricColumns, RunInfo, RunStatus } from '../entities';
import type { TracklabError } from '../errors';
import { MetricBuffer } from '../metrics/metric-buffer';
import type { RunEnd, TrackingStore } from '../store/store';
import { validateEndStatus, validateRunId } from '../validation';
import type { TrackingClient } from './client';
import { asTracklabError } from './client-errors';
import * as lifecycle from './lifecycle';

/** A run this process created and has not ended, for heartbeats and honest exit. */
export interface OwnedRun {
  readonly runId: string;
  end(status: lifecycle.EndStatus, message?: string): Promise<void>;
  endSync(status: lifecycle.EndStatus, message: string | null): void;
}

/** What a client keeps about the runs it writes. */
export interface RunState {
  /** Running runs this process created, by id. */
  readonly owned: Map<string, OwnedRun>;
  /** Shared by every run of the client; opened on first use, closed with the client. */
  buffer: MetricBuffer | undefined;
  /** Store writes of flushed points that have not settled yet. */
  readonly inflight: Set<Promise<void>>;
  /** The first failed write of each run, kept until it is rethrown. */
  readonly writeErrors: Map<string, TracklabError>;
}

export function newRunState(): RunState {
  return { owned: new Map(), buffer: undefined, inflight: new Set(), writeErrors: new Map() };
}

export function metricBuffer(client: TrackingClient, runs: RunState): MetricBuffer {
  if (runs.buffer === undefined) {
    const store = client.store;
    runs.buffer = new MetricBuffer((blocks) => {
      const write = store.appendMetrics(blocks).catch((err: unknown) => {
        const error = asTracklabError(err, 'write metrics');
        for (const b of blocks) if (!runs.writeErrors.has(b.runId)) runs.writeErrors.set(b.runId, error);
      });
      runs.inflight.add(write);
      void write.finally(() => runs.inflight.delete(write));
    }, { reuseArrays: store.capabilities.synchronousWrites });
  }
  return runs.buffer;
}

export async function flush(runs: RunState): Promise<void> {
  runs.buffer?.flush();
  await Promise.all([...runs.inflight]);
  const first = runs.writeErrors.values().next();
  runs.writeErrors.clear();
  if (!first.done) throw first.value;
}

export async function flushRun(runs: RunState, runId: string): Promise<void> {
  runs.buffer?.flush(runId);
  await Promise.all([...runs.inflight]);
  const error = runs.writeErrors.get(runId);
  runs.writeErrors.delete(runId);
  if (error) throw error;
}

export async function setTerminated(client: TrackingClient, runs: RunState, runId: string, status: RunStatus, message: string | undefined): Promise<RunInfo> {
  validateRunId(runId);
  validateEndStatus(status);
  runs.owned.delete(runId);
  leaveIfIdle(client, runs);
  return client.completeRun(runId, status, message ?? null);
}

export async function completeRun(client: TrackingClient, runs: RunState, runId: string, status: RunStatus, message: string | null): Promise<RunInfo> {
  if (runs.inflight.size > 0) await Promise.all([...runs.inflight]);
  const flushError = runs.writeErrors.get(runId);
  runs.writeErrors.delete(runId);
  const pending = takeBuffered(runs, runId);
  const info = await client.call('end the run', (s) => s.updateRun(runId, { status, statusMessage: message, endTime: Date.now(), metrics: pending }));
  if (flushError !== undefined) throw flushError;
  return info;
}

export function adopt(client: TrackingClient, runs: RunState, run: OwnedRun): void {
  runs.owned.set(run.runId, run);
  lifecycle.participate(client);
}

export function release(client: TrackingClient, runs: RunState, runId: string): void {
  runs.owned.delete(runId);
  leaveIfIdle(client, runs);
}

/** `store` is the client's store if it is open: a heartbeat never opens one. */
export function heartbeat(store: TrackingStore | undefined, runs: RunState, now: number): void {
  if (runs.owned.size === 0 || store === undefined) return;
  store.heartbeat([...runs.owned.keys()], now).catch(() => undefined);
}

export async function endAll(runs: RunState, status: lifecycle.EndStatus, message: string | null): Promise<void> {
  await Promise.allSettled([...runs.owned.values()].map((r) => r.end(status, message ?? undefined)));
}

export function endAllSync(store: TrackingStore | undefined, runs: RunState, status: lifecycle.EndStatus, message: string | null): void {
  if (store === undefined || !store.capabilities.synchronousWrites) return;
  for (const run of [...runs.owned.values()]) run.endSync(status, message);
  runs.buffer?.flush();
}

export function takeEnd(runs: RunState, runId: string, status: Exclude<RunStatus, 'RUNNING'>, message: string | null): RunEnd {
  return { status, statusMessage: message, endTime: Date.now(), metrics: takeBuffered(runs, runId) };
}

/** A run's buffered points, for its final write; the run's series are forgotten. */
function takeBuffered(runs: RunState, runId: string): readonly MetricColumns[] {
  let pending: readonly MetricColumns[] = [];
  runs.buffer?.flush(runId, (blocks) => { pending = blocks; });
  runs.buffer?.discard(runId);
  return pending;
}

export function endSync(store: TrackingStore | undefined, runs: RunState, runId: string, status: lifecycle.EndStatus, message: string | null): void {
  if (store === undefined || !store.capabilities.synchronousWrites) return;
  runs.owned.delete(runId);
  runs.buffer?.flush(runId);
  store.updateRun(runId, { status, statusMessage: message, endTime: Date.now() }).catch(() => undefined);
}

function leaveIfIdle(client: TrackingClient, runs: RunState): void {
  if (runs.owned.size === 0) lifecycle.leave(client);
}
