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

/** At most this many queued appends, or runs to create, become one write. */
const MAX_COALESCED = 64;

interface Data {
  readonly uri: string;
  readonly done: SharedArrayBuffer;
}

/** The id of the experiment `ref` names (an id or a name), created by name when missing. */
async function experimentIdOf(store: TrackingStore, ref: string): Promise<string> {
  try {
    return (await store.getExperiment(ref)).experimentId;
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    return (await store.ensureExperiment(ref)).experimentId;
  }
}

/** Finds (or creates by name) the experiment, then creates the run in it. */
async function createRunIn(store: TrackingStore, ref: string, run: Omit<NewRun, 'experimentId'>): Promise<unknown> {
  return createRun(store, { ...run, experimentId: await experimentIdOf(store, ref) });
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

  /** What requests that queued up behind each other may be applied together as: appends, or runs to create. */
  function joinKind(request: WorkerRequest): 'append' | 'create' | undefined {
    if (request.method === 'appendMetrics') return 'append';
    const store = backend?.tracking;
    const creates = request.method === 'createRun' || request.method === 'createRunIn';
    return creates && store?.createRuns !== undefined && store.capabilities.artifactsWithRun === true ? 'create' : undefined;
  }

  /** Several queued requests of one kind as one write: each request's outcome (a value or an Error), in order. */
  async function applyTogether(batch: readonly WorkerRequest[]): Promise<readonly unknown[]> {
    const store = (backend ??= await opening).tracking;
    if (joinKind(batch[0]) === 'append') {
      await store.appendMetrics(batch.flatMap((r) => r.args[0] as readonly MetricColumns[]));
      return batch.map(() => undefined);
    }
    const experiments = new Map<string, string>(); // createRunIn: each experiment resolved once
    const runs: NewRun[] = [];
    for (const { method, args } of batch) {
      if (method === 'createRun') {
        runs.push(args[0] as NewRun);
        continue;
      }
      const ref = args[0] as string;
      if (!experiments.has(ref)) experiments.set(ref, await experimentIdOf(store, ref));
      runs.push({ ...(args[1] as Omit<NewRun, 'experimentId'>), experimentId: experiments.get(ref) as string });
    }
    return store.createRuns!(runs); // joinKind checked it is there
  }

  /**
   * Applies waiting requests in order. Metric appends, and runs to create,
   * that queued up behind each other go as one write (one transaction
   * instead of one each: on a server, a commit is a round trip and a disk
   * flush). A run the store refuses within that write gets its own error;
   * if the write as a whole fails, the requests are applied one by one, so
   * each gets its own answer.
   */
  async function drain(): Promise<void> {
    draining = true;
    while (waiting.length > 0) {
      const head = waiting.shift() as WorkerRequest;
      const batch = [head];
      const kind = joinKind(head);
      while (kind !== undefined && waiting.length > 0 && joinKind(waiting[0]) === kind && batch.length < MAX_COALESCED) batch.push(waiting.shift() as WorkerRequest);
      if (batch.length === 1) {
        await settle(head, () => apply(head));
        continue;
      }
      let outcomes: readonly unknown[] | undefined;
      let failure: unknown;
      try {
        outcomes = await applyTogether(batch);
      } catch (err) {
        failure = err;
      }
      // A refusal (a missing or deleted run, a bad block) wrote nothing: each request then gets its own outcome.
      // Anything else (a lost connection) is every request's answer, never a second try that could write twice.
      const refused = isTracklabError(failure) && failure.code !== 'INTERNAL_ERROR' && !/connection/i.test(failure.message);
      for (const [i, request] of batch.entries()) {
        const own = outcomes?.[i];
        const answer = outcomes === undefined ? (refused ? () => apply(request) : () => Promise.reject(failure))
          : () => (own instanceof Error ? Promise.reject(own) : Promise.resolve(own));
        await settle(request, answer);
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
