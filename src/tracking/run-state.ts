/**
 * The runs a client owns while they run, and the write path that ends them:
 * the hot-path metric buffer, its writes in flight, the first write failure
 * of each run, heartbeats and the exit paths that lifecycle.ts drives.
 * Store writes are ordered here: a run's end waits for the writes before it,
 * then takes its buffered points into the same write.
 */
import type { MetricColumns, RunInfo, RunStatus } from '../entities';
import type { TracklabError } from '../errors';
import { MetricBuffer } from '../metrics/metric-buffer';
import { answeredOrQueued } from '../store/answered-or-queued';
import type { RunEnd, TrackingStore } from '../store/store';
import { asTracklabError } from './client-errors';
import * as lifecycle from './lifecycle';

/** A run this process created and has not ended, for heartbeats and honest exit. */
export interface OwnedRun {
  readonly runId: string;
  end(status: lifecycle.EndStatus, message?: string): Promise<void>;
  /**
   * Inside `process.on('exit')`: issues the run's final writes (its pending
   * records, buffered points and end) without awaiting them.
   */
  endAtExit(status: lifecycle.EndStatus, message: string | null): void;
}

/** What the run state needs of the core: its store and call wrapper, and a place in the process lifecycle. */
export interface StoreAccess extends lifecycle.LifecycleParticipant {
  store(): TrackingStore;
  call<T>(what: string, op: (store: TrackingStore) => Promise<T>): Promise<T>;
}

export class RunState {
  /** Running runs this process created, by id. */
  readonly owned = new Map<string, OwnedRun>();
  private metricBuffer: MetricBuffer | undefined;
  /** Store writes of flushed points that have not settled yet. */
  private readonly inflight = new Set<Promise<void>>();
  /** The first failed write of each run, kept until it is rethrown. */
  private readonly writeErrors = new Map<string, TracklabError>();

  constructor(private readonly core: StoreAccess) {}

  /** Shared by every run of the client; made on first use, closed with the client. */
  get buffer(): MetricBuffer {
    if (this.metricBuffer === undefined) {
      const store = this.core.store();
      this.metricBuffer = new MetricBuffer((blocks) => {
        const write = store.appendMetrics(blocks).catch((err: unknown) => {
          const error = asTracklabError(err, 'write metrics');
          for (const b of blocks) if (!this.writeErrors.has(b.runId)) this.writeErrors.set(b.runId, error);
        });
        this.inflight.add(write);
        void write.finally(() => this.inflight.delete(write));
      }, { reuseArrays: store.capabilities.synchronousWrites });
    }
    return this.metricBuffer;
  }

  /**
   * Writes every buffered point and waits for pending writes; rethrows the
   * first failure known by then, once. On a store that queues writes, while
   * its server does not answer, waits only until the points are durable in
   * the outbox, as queueEnd does: training and `close()` never wait out an
   * outage, and a refusal that comes later is rethrown by the next flush or
   * end (or, once the client is closed, reported by `tracklab sync`).
   */
  async flush(): Promise<void> {
    this.metricBuffer?.flush();
    await this.answeredOrQueued([...this.inflight]);
    const first = this.writeErrors.values().next();
    this.writeErrors.clear();
    if (!first.done) throw first.value;
  }

  /** Flushes one run's points and rethrows its write failure once; during an outage, as flush(). */
  async flushRun(runId: string): Promise<void> {
    this.metricBuffer?.flush(runId);
    await this.answeredOrQueued([...this.inflight]);
    const error = this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    if (error) throw error;
  }

  /** Waits for `writes` to be answered, or, on a store that queues writes, until its server is found unreachable (they are queued). */
  private async answeredOrQueued(writes: readonly Promise<void>[]): Promise<void> {
    // The writes never reject: their failures go to writeErrors.
    if (writes.length > 0) await answeredOrQueued(this.core.store(), Promise.all(writes), () => undefined);
  }

  /** Ends a run in one store write: earlier writes land first, then its buffered points go in with the status. */
  async completeRun(runId: string, status: RunStatus, message: string | null, endTime = Date.now()): Promise<RunInfo> {
    if (this.inflight.size > 0) await Promise.all([...this.inflight]);
    const flushError = this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    const pending = this.takeBuffered(runId);
    const info = await this.core.call('end the run', (s) => s.updateRun(runId, { status, statusMessage: message, endTime, metrics: pending }));
    if (flushError !== undefined) throw flushError;
    return info;
  }

  /**
   * Ends a run on a store that queues writes (ClientCore.queuesWrites), after
   * the run's earlier writes, which the queue delivers first.
   * - While the server answers: resolves with its answer, so `await run.end();
   *   process.exit()` still delivers the end. A refusal rejects, and so does a
   *   failed point write of the run, read once the end is answered (the queue
   *   answered those first), as completeRun does.
   * - While it does not: resolves as soon as the end is queued, durable on this
   *   machine, to be delivered when the server is back or by `tracklab sync`.
   *   Refusals that come later, of the end or of the run's points, go to
   *   `refused`, never to a later unrelated flush().
   * A failure already known before the end is rethrown either way.
   */
  async queueEnd(runId: string, status: RunStatus, message: string | null, endTime: number, refused: (err: TracklabError) => void): Promise<void> {
    const known = this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    const pending = this.takeBuffered(runId);
    const earlier = [...this.inflight];
    let answer: Promise<unknown> = Promise.resolve();
    let store: TrackingStore | undefined;
    await new Promise<void>((queued, reject) => {
      answer = this.core.call('end the run', (s) => {
        const write = s.updateRun(runId, { status, statusMessage: message, endTime, metrics: pending });
        store = s;
        queued();
        return write;
      });
      answer.catch(reject); // before it was queued only: a settled Promise ignores this
    });
    const outcome = await answeredOrQueued(store as TrackingStore, answer, (err) => refused(asTracklabError(err, 'end the run')));
    if (outcome === 'queued') {
      void Promise.all(earlier).then(() => {
        const late = this.writeErrors.get(runId);
        this.writeErrors.delete(runId);
        if (late !== undefined) refused(late);
      });
      if (known !== undefined) throw known;
      return;
    }
    await Promise.all(earlier);
    const writeError = known ?? this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    if (writeError !== undefined) throw writeError;
  }

  /** How a run not written yet ends: its outcome, with its buffered points taken out of the buffer. */
  takeEnd(runId: string, status: Exclude<RunStatus, 'RUNNING'>, message: string | null, endTime: number): RunEnd {
    return { status, statusMessage: message, endTime, metrics: this.takeBuffered(runId) };
  }

  /** Registers a running run for heartbeats and the exit handler. */
  adopt(run: OwnedRun): void {
    this.owned.set(run.runId, run);
    lifecycle.participate(this.core);
  }

  release(runId: string): void {
    this.owned.delete(runId);
    if (this.owned.size === 0) lifecycle.leave(this.core);
  }

  heartbeat(store: TrackingStore, now: number): void {
    if (this.owned.size === 0) return;
    store.heartbeat([...this.owned.keys()], now).catch(() => undefined);
  }

  async endAll(status: lifecycle.EndStatus, message: string | null): Promise<void> {
    await Promise.allSettled([...this.owned.values()].map((r) => r.end(status, message ?? undefined)));
  }

  /** Exit: every owned run issues its final writes, then points of runs owned elsewhere (explicit ids) follow. */
  endAtExit(status: lifecycle.EndStatus, message: string | null): void {
    for (const run of [...this.owned.values()]) run.endAtExit(status, message);
    this.metricBuffer?.flush();
  }

  /** Exit path of a run written before: its buffered points, then its end, issued without waiting. */
  endWrittenAtExit(runId: string, status: lifecycle.EndStatus, message: string | null): void {
    this.owned.delete(runId);
    const metrics = this.takeBuffered(runId);
    this.core.store().updateRun(runId, { status, statusMessage: message, endTime: Date.now(), metrics }).catch(() => undefined);
  }

  /** Flushes, then forgets every run (they stay RUNNING for a later process to reap) and stops the buffer's timer. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      for (const runId of [...this.owned.keys()]) this.release(runId);
      this.metricBuffer?.close();
      this.metricBuffer = undefined;
    }
  }

  /** A run's buffered points, for its final write; the run's series are forgotten. */
  private takeBuffered(runId: string): readonly MetricColumns[] {
    let pending: readonly MetricColumns[] = [];
    this.metricBuffer?.flush(runId, (blocks) => { pending = blocks; });
    this.metricBuffer?.discard(runId);
    return pending;
  }
}
