/**
 * The write path of an asynchronous backend (PostgreSQL): every write goes,
 * in order, to a worker thread that holds its own connection; reads go to
 * the main thread's backend. Node cannot await inside `process.on('exit')`,
 * but it can block: `drainSync()` waits (Atomics.wait) until the worker has
 * finished every write posted so far, so a script that calls
 * `process.exit()` still ends its runs with all their points.
 *
 * Writes posted in one order are applied in that order, so the client may
 * post a run's points and its end right after its creation without waiting.
 * The worker keeps the process alive only while a write is outstanding.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MetricColumns } from '../entities';
import { encodeBlock } from '../metrics/block-codec';
import { TracklabError, isTracklabError, type ErrorCode } from '../errors';
import type { TrackingStore } from '../store/store';
import { connectionUri, type StoreUri } from '../store/store-uri';
import type { WorkerReply, WorkerRequest, WriteMethod } from './store-worker-thread';

/** How long `drainSync()` blocks at most: past it, what is left is reaped as CRASHED later. */
export const EXIT_DRAIN_MS = 10_000;

type Pending = { resolve(value: unknown): void; reject(err: unknown): void };

export class WorkerStore implements TrackingStore {
  readonly capabilities: TrackingStore['capabilities'];
  private readonly worker: Worker;
  /** [0]: the last request the worker has finished (written by the worker). */
  private readonly done = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failure: TracklabError | undefined;
  private exited: Promise<void>;
  /**
   * Settles once the worker has opened the store, which may migrate its
   * schema under a lock (never rejects: a failed open is every call's answer).
   */
  readonly opened: Promise<void>;

  /** `reads` opens (once) the main thread's backend. */
  constructor(uri: StoreUri, private readonly reads: () => Promise<TrackingStore>) {
    // artifactsWithRun: the write thread records a new run's manifest entries itself where its backend cannot (store-worker-thread.ts).
    this.capabilities = { synchronousWrites: false, multiProcess: true, artifactsWithRun: true };
    this.worker = new Worker(path.join(__dirname, 'store-worker-thread.js'), {
      workerData: { uri: connectionUri(uri), done: this.done.buffer },
    });
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => this.settle(reply));
    this.exited = new Promise((resolve) => {
      this.worker.on('error', (err) => this.broken(err));
      this.worker.on('exit', () => {
        this.broken(new Error('the store worker stopped'));
        resolve();
      });
    });
    this.opened = this.post('open', []).then(() => undefined, () => undefined);
  }

  // ---- reads: the main thread's own connection ------------------------------

  async getExperiment(idOrName: string) { return (await this.reads()).getExperiment(idOrName); }
  async searchExperiments(...a: Parameters<TrackingStore['searchExperiments']>) { return (await this.reads()).searchExperiments(...a); }
  async getRun(runId: string) { return (await this.reads()).getRun(runId); }
  async searchRuns(...a: Parameters<TrackingStore['searchRuns']>) { return (await this.reads()).searchRuns(...a); }
  async readMetrics(...a: Parameters<TrackingStore['readMetrics']>) { return (await this.reads()).readMetrics(...a); }
  /** Present whatever the backend: one without it answers through readMetrics (blocks encoded again, as the contract allows). */
  async readMetricBlocks(...a: Parameters<NonNullable<TrackingStore['readMetricBlocks']>>) {
    const store = await this.reads();
    if (store.readMetricBlocks !== undefined) return store.readMetricBlocks(...a);
    return (await store.readMetrics(...a)).map((b) => ({ runId: b.runId, key: b.key, data: encodeBlock(b.steps, b.timestamps, b.values) }));
  }
  async listArtifacts(...a: Parameters<TrackingStore['listArtifacts']>) { return (await this.reads()).listArtifacts(...a); }
  async referencedBlobs() { return (await this.reads()).referencedBlobs(); }
  async listCells(runId: string) { return (await this.reads()).listCells(runId); }
  async listInputs(runIds: readonly string[]) { return (await this.reads()).listInputs(runIds); }
  /** Needs a function from this thread: runs on the main connection. */
  async reapCrashedRuns(...a: Parameters<TrackingStore['reapCrashedRuns']>) { return (await this.reads()).reapCrashedRuns(...a); }

  // ---- writes: in order, through the worker ---------------------------------

  createExperiment(...a: Parameters<TrackingStore['createExperiment']>) { return this.post('createExperiment', a) as ReturnType<TrackingStore['createExperiment']>; }
  ensureExperiment(...a: Parameters<TrackingStore['ensureExperiment']>) { return this.post('ensureExperiment', a) as ReturnType<TrackingStore['ensureExperiment']>; }
  updateExperiment(...a: Parameters<TrackingStore['updateExperiment']>) { return this.post('updateExperiment', a) as ReturnType<TrackingStore['updateExperiment']>; }
  setExperimentTags(...a: Parameters<TrackingStore['setExperimentTags']>) { return this.post('setExperimentTags', a) as Promise<void>; }
  setExperimentLifecycle(...a: Parameters<TrackingStore['setExperimentLifecycle']>) { return this.post('setExperimentLifecycle', a) as Promise<void>; }
  createRun(...[run]: Parameters<TrackingStore['createRun']>) {
    return this.postBlocks('createRun', run.end?.metrics, (metrics) => [run.end && metrics ? { ...run, end: { ...run.end, metrics } } : run]) as ReturnType<TrackingStore['createRun']>;
  }
  updateRun(...[runId, update]: Parameters<TrackingStore['updateRun']>) {
    return this.postBlocks('updateRun', update.metrics, (metrics) => [runId, metrics ? { ...update, metrics } : update]) as ReturnType<TrackingStore['updateRun']>;
  }
  setRunLifecycle(...a: Parameters<TrackingStore['setRunLifecycle']>) { return this.post('setRunLifecycle', a) as Promise<void>; }
  purgeDeletedRuns(...a: Parameters<TrackingStore['purgeDeletedRuns']>) { return this.post('purgeDeletedRuns', a) as ReturnType<TrackingStore['purgeDeletedRuns']>; }
  logBatch(...a: Parameters<TrackingStore['logBatch']>) { return this.post('logBatch', a) as Promise<void>; }
  appendMetrics(...[blocks, options]: Parameters<TrackingStore['appendMetrics']>) {
    return this.postBlocks('appendMetrics', blocks, (sent) => (options === undefined ? [sent] : [sent, options])) as Promise<void>;
  }
  heartbeat(...a: Parameters<TrackingStore['heartbeat']>) { return this.post('heartbeat', a) as Promise<void>; }
  putArtifacts(...a: Parameters<TrackingStore['putArtifacts']>) { return this.post('putArtifacts', a) as Promise<void>; }
  recordCell(...a: Parameters<TrackingStore['recordCell']>) { return this.post('recordCell', a) as Promise<void>; }
  logInputs(...a: Parameters<TrackingStore['logInputs']>) { return this.post('logInputs', a) as Promise<void>; }

  /**
   * Creates a run in the experiment `ref` names (by id or name, created by
   * name when missing), all in the worker: the exit path uses it for a run
   * whose experiment the main thread had not resolved yet.
   */
  createRunIn(ref: string, run: Omit<Parameters<TrackingStore['createRun']>[0], 'experimentId'>): ReturnType<TrackingStore['createRun']> {
    return this.postBlocks('createRunIn', run.end?.metrics, (metrics) => [ref, run.end && metrics ? { ...run, end: { ...run.end, metrics } } : run]) as ReturnType<TrackingStore['createRun']>;
  }

  /**
   * Blocks this thread until the worker has finished every write posted so
   * far, or `timeoutMs` passed. For `process.on('exit')`, where nothing can
   * be awaited. Returns false on timeout or when the worker is gone.
   */
  drainSync(timeoutMs = EXIT_DRAIN_MS): boolean {
    const target = this.seq;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const finished = Atomics.load(this.done, 0);
      if (finished >= target) return true;
      if (this.failure !== undefined) return false;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.done, 0, finished, left) === 'timed-out') return Atomics.load(this.done, 0) >= target;
    }
  }

  /** Waits for outstanding writes, then stops the worker (it closes its connection). */
  async close(): Promise<void> {
    if (this.failure === undefined) {
      await this.post('close', []).catch(() => undefined);
    }
    this.worker.ref(); // the caller awaits the thread's end: it must keep the process alive until then
    await this.exited;
  }

  /** Posts a write carrying metric blocks: `args` receives them as they will travel (see forPosting). */
  private postBlocks(method: WriteMethod | 'createRunIn', blocks: readonly MetricColumns[] | undefined,
    args: (blocks: readonly MetricColumns[] | undefined) => readonly unknown[]): Promise<unknown> {
    const sent = forPosting(blocks);
    return this.post(method, args(sent.blocks), sent.transfer);
  }

  private post(method: WriteMethod | 'createRunIn' | 'open' | 'close', args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const seq = ++this.seq;
    const request: WorkerRequest = { seq, method, args };
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage(request, transfer);
    return reply;
  }

  private settle(reply: WorkerReply): void {
    const waiting = this.pending.get(reply.seq);
    if (waiting === undefined) return;
    this.pending.delete(reply.seq);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(reply.code === null ? new Error(reply.message) : new TracklabError(reply.code as ErrorCode, reply.message));
  }

  private broken(err: unknown): void {
    this.failure ??= isTracklabError(err) ? err : new TracklabError('INTERNAL_ERROR',
      `The store's write thread failed (${err instanceof Error ? err.message : String(err)}); nothing more can be written from this process. Restart it.`,
      { cause: err });
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}

/** Columns of at most this many bytes in all are copied into one buffer rather than moved. */
const SHARED_COPY_BYTES = 64 * 1024;

/**
 * Metric blocks as they travel to the worker. Each typed array that crosses
 * on its own costs a few microseconds whether cloned or moved, which for the
 * one-point columns of a short run's last values was most of a write's cost
 * on this thread; so few small columns are copied into one buffer (cloned
 * once), and large ones, which the caller owns whole, are moved instead of copied.
 */
function forPosting(blocks: readonly MetricColumns[] | undefined): { blocks: readonly MetricColumns[] | undefined; transfer: ArrayBuffer[] } {
  if (blocks === undefined || blocks.length === 0) return { blocks, transfer: [] };
  let bytes = 0;
  for (const b of blocks) bytes += b.steps.byteLength + b.timestamps.byteLength + b.values.byteLength;
  if (bytes > SHARED_COPY_BYTES) return { blocks, transfer: transferable(blocks) };
  const shared = new ArrayBuffer(bytes);
  let at = 0;
  const copy = (column: Float64Array) => {
    const view = new Float64Array(shared, at, column.length);
    view.set(column);
    at += column.byteLength;
    return view;
  };
  return { blocks: blocks.map((b) => ({ ...b, steps: copy(b.steps), timestamps: copy(b.timestamps), values: copy(b.values) })), transfer: [] };
}

/** Buffers of metric columns the caller owns whole: moved to the worker instead of copied. */
function transferable(blocks: readonly MetricColumns[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of blocks) {
    for (const column of [b.steps, b.timestamps, b.values]) {
      const buffer = column.buffer;
      if (buffer instanceof ArrayBuffer && column.byteOffset === 0 && column.byteLength === buffer.byteLength) out.add(buffer);
    }
  }
  return [...out];
}
