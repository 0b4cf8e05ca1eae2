/**
 * The worker side of WorkerStore (worker-store.ts): opens the store with its
 * own connection and applies the writes it is sent one at a time, in the
 * order they were posted. After each it records the request's number in the
 * shared counter and wakes the main thread, which may be blocked in
 * `drainSync()` inside `process.on('exit')`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isTracklabError } from '../errors';
import type { StoreBackend } from '../store/backend';
import { openStore } from '../store/open-store';
import type { MetricColumns } from '../entities';
import type { NewRun, TrackingStore } from '../store/store';
import { maskUri } from '../store/store-uri';

/** The TrackingStore methods that write; everything else is read on the main thread. */
export type WriteMethod =
  | 'createExperiment' | 'ensureExperiment' | 'updateExperiment' | 'setExperimentTags' | 'setExperimentLifecycle'
  | 'createRun' | 'updateRun' | 'setRunLifecycle' | 'purgeDeletedRuns' | 'logBatch' | 'appendMetrics' | 'heartbeat'
  | 'putArtifacts' | 'recordCell' | 'logInputs';

export interface WorkerRequest {
  readonly seq: number;
  readonly method: WriteMethod | 'createRunIn' | 'open' | 'close';
  readonly args: readonly unknown[];
}

export type WorkerReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  /** `code` is null for an error that was not a TracklabError (the client wraps it, naming what it was doing). */
  | { readonly seq: number; readonly ok: false; readonly code: string | null; readonly message: string };

/** At most this many queued appends become one. */
const MAX_COALESCED = 64;

interface Data {
  readonly uri: string;
  readonly done: SharedArrayBuffer;
}

/** Finds (or creates by name) the experiment, then creates the run in it. */
async function createRunIn(store: TrackingStore, ref: string, run: Omit<NewRun, 'experimentId'>): Promise<unknown> {
  let experimentId: string;
  try {
    experimentId = (await store.getExperiment(ref)).experimentId;
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    experimentId = (await store.ensureExperiment(ref)).experimentId;
  }
  return createRun(store, { ...run, experimentId });
}

/** Creates the run with its manifest entries: in its own write where the backend can, else in a second one (WorkerStore promises them). */
async function createRun(store: TrackingStore, run: NewRun): Promise<unknown> {
  if (store.capabilities.artifactsWithRun === true || run.artifacts === undefined || run.artifacts.length === 0) return store.createRun(run);
  const info = await store.createRun(run);
  await store.putArtifacts(run.runId, run.artifacts);
  return info;
}

function serve(port: NonNullable<typeof parentPort>, data: Data): void {
  const done = new Int32Array(data.done);
  const opening = openStore(data.uri, { maxConnections: 1 });
  opening.catch(() => undefined); // a failed open is answered to every request, not thrown here
  let backend: StoreBackend | undefined;

  async function apply(request: WorkerRequest): Promise<unknown> {
    backend ??= await opening;
    const store = backend.tracking;
    if (request.method === 'open') return undefined;
    if (request.method === 'close') return backend.close();
    if (request.method === 'createRunIn') return createRunIn(store, request.args[0] as string, request.args[1] as Omit<NewRun, 'experimentId'>);
    if (request.method === 'createRun') return createRun(store, request.args[0] as NewRun);
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    return method.apply(store, request.args as unknown[]);
  }

  /** Requests not yet applied, in the order posted. */
  const waiting: WorkerRequest[] = [];
  let draining = false;

  function answer(request: WorkerRequest, reply: WorkerReply): void {
    Atomics.store(done, 0, request.seq);
    Atomics.notify(done, 0);
    port.postMessage(reply);
    if (request.method === 'close') port.close();
  }

  async function settle(request: WorkerRequest, run: () => Promise<unknown>): Promise<void> {
    try {
      answer(request, { seq: request.seq, ok: true, value: await run() });
    } catch (err) {
      const message = maskUri(err instanceof Error ? err.message : String(err));
      answer(request, { seq: request.seq, ok: false, code: isTracklabError(err) ? err.code : null, message });
    }
  }

  /**
   * Applies waiting requests in order. Metric appends that queued up behind
   * each other go as one appendMetrics (one transaction instead of one each:
   * on a server, a commit is a round trip and a disk flush). If that one
   * fails, they are applied one by one, so each gets its own answer.
   */
  async function drain(): Promise<void> {
    draining = true;
    while (waiting.length > 0) {
      const head = waiting.shift() as WorkerRequest;
      const batch = [head];
      while (head.method === 'appendMetrics' && waiting[0]?.method === 'appendMetrics' && batch.length < MAX_COALESCED) {
        batch.push(waiting.shift() as WorkerRequest);
      }
      if (batch.length === 1) {
        await settle(head, () => apply(head));
        continue;
      }
      const blocks = batch.flatMap((r) => r.args[0] as readonly MetricColumns[]);
      let failure: unknown;
      try {
        await apply({ seq: head.seq, method: 'appendMetrics', args: [blocks] });
      } catch (err) {
        failure = err;
      }
      // A refusal (a missing or deleted run, a bad block) wrote nothing: each request then gets its own outcome.
      // Anything else (a lost connection) is every request's answer, never a second try that could write twice.
      const refused = isTracklabError(failure) && failure.code !== 'INTERNAL_ERROR' && !/connection/i.test(failure.message);
      for (const request of batch) {
        await settle(request, failure === undefined ? async () => undefined : refused ? () => apply(request) : () => Promise.reject(failure));
      }
    }
    draining = false;
  }

  port.on('message', (request: WorkerRequest) => {
    waiting.push(request);
    if (!draining) void drain();
  });
}

if (parentPort !== null) serve(parentPort, workerData as Data);
