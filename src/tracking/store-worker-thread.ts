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
import type { NewRun, TrackingStore } from '../store/store';
import { maskUri } from '../store/store-uri';

/** The TrackingStore methods that write; everything else is read on the main thread. */
export type WriteMethod =
  | 'createExperiment' | 'ensureExperiment' | 'updateExperiment' | 'setExperimentTags' | 'setExperimentLifecycle'
  | 'createRun' | 'updateRun' | 'setRunLifecycle' | 'purgeDeletedRuns' | 'logBatch' | 'appendMetrics' | 'heartbeat'
  | 'putArtifacts' | 'recordCell' | 'logInputs';

export interface WorkerRequest {
  readonly seq: number;
  readonly method: WriteMethod | 'createRunIn' | 'close';
  readonly args: readonly unknown[];
}

export type WorkerReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  /** `code` is null for an error that was not a TracklabError (the client wraps it, naming what it was doing). */
  | { readonly seq: number; readonly ok: false; readonly code: string | null; readonly message: string };

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
  return store.createRun({ ...run, experimentId });
}

function serve(port: NonNullable<typeof parentPort>, data: Data): void {
  const done = new Int32Array(data.done);
  const opening = openStore(data.uri, { maxConnections: 1 });
  opening.catch(() => undefined); // a failed open is answered to every request, not thrown here
  let backend: StoreBackend | undefined;
  let queue: Promise<void> = Promise.resolve();

  async function apply(request: WorkerRequest): Promise<unknown> {
    backend ??= await opening;
    const store = backend.tracking;
    if (request.method === 'close') return backend.close();
    if (request.method === 'createRunIn') return createRunIn(store, request.args[0] as string, request.args[1] as Omit<NewRun, 'experimentId'>);
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    return method.apply(store, request.args as unknown[]);
  }

  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        reply = { seq: request.seq, ok: true, value: await apply(request) };
      } catch (err) {
        const message = maskUri(err instanceof Error ? err.message : String(err));
        reply = { seq: request.seq, ok: false, code: isTracklabError(err) ? err.code : null, message };
      }
      Atomics.store(done, 0, request.seq);
      Atomics.notify(done, 0);
      port.postMessage(reply);
      if (request.method === 'close') port.close();
    });
  });
}

if (parentPort !== null) serve(parentPort, workerData as Data);
