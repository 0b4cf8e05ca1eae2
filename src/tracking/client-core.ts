/**
 * The client core: what tracking operations need and nothing more: the store
 * (opened on first use through `openStore`), the call wrapper that turns
 * driver errors into TracklabErrors, the runs this process owns with their
 * metric buffer (run-state.ts), the experiment cache and the artifact root.
 * TrackingClient and ActiveRun are thin facades over it, and operation
 * modules (client-*.ts) receive it instead of the client.
 *
 * Only the core reads backend capabilities:
 * - a synchronous backend (SQLite) opens and writes within the caller's
 *   stretch of code: run creation's fast path and the exit handler use it;
 * - an asynchronous one (PostgreSQL) writes through a WorkerStore, whose
 *   worker thread lets the exit handler block until the last writes are in.
 */
import type { ArtifactRepository } from '../artifacts/artifact-repository';
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactEntry, Experiment, RunInfo } from '../entities';
import { TracklabError, isTracklabError } from '../errors';
import { msg } from '../messages';
import type { BackendOptions, StoreBackend } from '../store/backend';
import { openStore, openStoreSync } from '../store/open-store';
import type { RegistryStore } from '../store/registry-store';
import type { NewRun, TrackingStore } from '../store/store';
import type { StoreUri } from '../store/store-uri';
import type { ArtifactLogger } from '../provenance/provenance';
import { validateExperimentName } from '../validation';
import { asTracklabError } from './client-errors';
import * as lifecycle from './lifecycle';
import { pendingRows } from './pending-rows';
import { RunState } from './run-state';
import type { WorkerStore } from './worker-store';

export interface CoreOptions {
  readonly uri: StoreUri;
  /** Absolute artifact folder, when configured; else the backend's default. */
  readonly artifactRoot?: string;
  /** A backend opened by the caller (the core does not close it). */
  readonly backend?: StoreBackend;
  /** Mark RUNNING runs whose process is gone CRASHED when the store opens (default true; `tracklab doctor` reports them first). */
  readonly reapCrashedRuns?: boolean;
  /** Create the store when it is not there (default true; reading commands pass false). */
  readonly createStore?: boolean;
}

export class ClientCore implements lifecycle.LifecycleParticipant, ArtifactLogger {
  readonly uri: StoreUri;
  readonly runs: RunState;
  /** Experiment ids by the name or id they were resolved from; cleared on rename and delete. */
  readonly experimentIds = new Map<string, string>();
  /** The artifact folder a setting names (absolute), if any; see `artifactRoot()`. */
  readonly configuredArtifactRoot: string | undefined;
  private readonly ownsBackend: boolean;
  private backend: StoreBackend | undefined;
  private opening: Promise<StoreBackend> | undefined;
  /** What operations write to: the backend's tracking store, or a WorkerStore in front of it. */
  private routed: TrackingStore | undefined;
  private worker: WorkerStore | undefined;
  private reaped: Promise<unknown> = Promise.resolve();
  private artifactRepo: Promise<ArtifactRepository> | undefined;
  private readonly reapOnOpen: boolean;
  private readonly openOptions: BackendOptions;

  constructor(options: CoreOptions) {
    this.uri = options.backend?.uri ?? options.uri;
    this.reapOnOpen = options.reapCrashedRuns !== false;
    this.openOptions = { mustExist: options.createStore === false };
    this.configuredArtifactRoot = options.artifactRoot;
    this.ownsBackend = options.backend === undefined;
    this.runs = new RunState(this);
    if (options.backend !== undefined) this.adopt(options.backend);
  }

  // ---- the store -----------------------------------------------------------

  /**
   * The store to call, without waiting: a synchronous backend is opened
   * here; an asynchronous one gets its WorkerStore at once (writes queue
   * while it connects). Throws a TracklabError when the store cannot open.
   */
  store(): TrackingStore {
    if (this.routed !== undefined) return this.routed;
    let backend: StoreBackend | undefined;
    try {
      backend = openStoreSync(this.uri, this.openOptions);
    } catch (err) {
      throw asTracklabError(err, `open the tracking store ${this.uri.display}`);
    }
    if (backend !== undefined) {
      this.adopt(backend);
      return backend.tracking;
    }
    // Loaded here: only asynchronous backends need the write thread (worker_threads stays out of a cold start).
    const { WorkerStore } = require('./worker-store') as typeof import('./worker-store');
    const worker = new WorkerStore(this.uri, () => this.mainBackend().then((b) => b.tracking));
    this.worker = worker;
    this.routed = worker;
    // Connect now; an open failure surfaces at the first call.
    this.reaped = this.mainBackend().then((b) => this.reap(b.tracking), () => undefined);
    return worker;
  }

  /** The store when its writes finish before they return (SQLite), for the fast paths; else undefined. */
  syncStore(): TrackingStore | undefined {
    const store = this.store();
    return store.capabilities.synchronousWrites ? store : undefined;
  }

  /** Whether a new run's row may carry artifact manifest entries (NewRun.artifacts), saving a second write. */
  createsRunsWithArtifacts(): boolean {
    return this.store().capabilities.artifactsWithRun === true;
  }

  /** Whether writes are applied in the order they are issued (a synchronous store, or the write thread), so none needs to wait for the one before. */
  writesInOrder(): boolean {
    const store = this.store();
    return store === this.worker || store.capabilities.synchronousWrites;
  }

  /**
   * Whether a write is done, for a run's own ordering, once the store has it
   * queued on this machine (the remote store): a run's later writes and its
   * end need not wait for the server's answer, which may be an outage away.
   */
  queuesWrites(): boolean {
    return this.store().capabilities.queuesWrites === true;
  }

  /** A store call with driver errors wrapped; waits for the crash reaper first. Rows of runs started before it are written first. */
  async call<T>(what: string, op: (store: TrackingStore) => Promise<T>): Promise<T> {
    pendingRows.writeAll();
    const store = this.routed ?? this.store();
    await this.reaped;
    try {
      return await op(store);
    } catch (err) {
      throw asTracklabError(err, what);
    }
  }

  /** A registry call, on the same backend, with driver errors wrapped. */
  async registryCall<T>(what: string, op: (store: RegistryStore) => Promise<T>): Promise<T> {
    pendingRows.writeAll();
    try {
      return await op((await this.mainBackend()).registry());
    } catch (err) {
      throw asTracklabError(err, what);
    }
  }

  /** The registry without waiting, once the store is open (at once for stores that open synchronously). */
  registryNow(): RegistryStore {
    this.store();
    if (this.backend === undefined) throw new TracklabError('INVALID_STATE', msg.storeNotOpenYet(this.uri.display));
    return this.backend.registry();
  }

  /** The artifact folder: configured, else the backend's own; throws (saying how to set it) when there is neither. */
  async artifactRoot(): Promise<string> {
    if (this.configuredArtifactRoot !== undefined) return this.configuredArtifactRoot;
    const backend = await this.mainBackend();
    if (backend.defaultArtifactRoot === undefined) throw new TracklabError('INVALID_STATE', msg.artifactRootMissing(this.uri.display));
    return backend.defaultArtifactRoot;
  }

  /** The artifact repository over this store and its artifact root, made on first use. */
  artifacts(): Promise<ArtifactRepository> {
    this.artifactRepo ??= this.artifactRoot().then(async (root) => {
      const { ArtifactRepository } = require('../artifacts/artifact-repository') as typeof import('../artifacts/artifact-repository');
      // A configured root is the artifact store itself (a folder shared with the server); else a server's content sits behind its cache.
      const remote = this.configuredArtifactRoot === undefined ? (await this.mainBackend()).remoteContent : undefined;
      return new ArtifactRepository(this.store(), root, remote);
    });
    this.artifactRepo.catch(() => { this.artifactRepo = undefined; });
    return this.artifactRepo;
  }

  /** Logs an artifact to a run (see ArtifactRepository.logArtifact); the provenance recorder calls this too. */
  async logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    return (await this.artifacts()).logArtifact(runId, source, artifactPath);
  }

  /**
   * Records blobs already in the content store on a run. False when a blob
   * is gone (a gc removed it): the caller logs the content again.
   */
  async linkArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<boolean> {
    await this.call('record artifacts', (s) => s.putArtifacts(runId, entries));
    return this.blobsStored(entries);
  }

  /** Whether every blob of these entries is in the content store. */
  async blobsStored(entries: readonly ArtifactEntry[]): Promise<boolean> {
    const repo = await this.artifacts();
    return entries.every((entry) => repo.content.hasSync(entry.sha256));
  }

  /** Flushes buffered points, stops the write thread and closes the store if this core opened it. */
  async close(): Promise<void> {
    if (this.routed === undefined && this.opening === undefined) return;
    try {
      await this.runs.close();
    } finally {
      const backend = this.backend ?? await this.opening?.catch(() => undefined);
      await this.worker?.close();
      if (this.ownsBackend) await backend?.close();
      this.backend = undefined;
      this.opening = undefined;
      this.routed = undefined;
      this.worker = undefined;
      this.artifactRepo = undefined;
    }
  }

  // ---- experiments -----------------------------------------------------------

  /** The experiment id of `ref` if known without waiting: cached, or read from a synchronous store. */
  experimentIdNow(ref: string): string | undefined {
    const cached = this.experimentIds.get(ref);
    if (cached !== undefined) return cached;
    const store = this.syncStore();
    if (store?.resolveExperimentSync === undefined) return undefined;
    let exp: Experiment;
    try {
      exp = store.resolveExperimentSync(ref);
    } catch (err) {
      throw asTracklabError(err, 'resolve the experiment');
    }
    return this.remember(ref, exp);
  }

  /** Finds the experiment by id or name, creating it by name when missing. Refuses deleted ones. */
  async resolveExperimentId(ref: string): Promise<string> {
    const cached = this.experimentIds.get(ref);
    if (cached !== undefined) return cached;
    let exp: Experiment;
    try {
      exp = await this.call('read the experiment', (s) => s.getExperiment(ref));
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      validateExperimentName(ref);
      exp = await this.call('create the experiment', (s) => s.ensureExperiment(ref));
    }
    return this.remember(ref, exp);
  }

  /**
   * Creates a run in the experiment `ref` names (by id or name, created by
   * name when missing) without this thread resolving it first: the write
   * thread resolves it itself, a synchronous store before returning. Later
   * writes of the run may follow at once (see `writesInOrder`). For a run
   * that must be written before its experiment could be looked up: under
   * memory pressure, and at exit.
   */
  createRunIn(ref: string, run: Omit<NewRun, 'experimentId'>): Promise<RunInfo> {
    const store = this.store();
    if (store.createRunIn !== undefined) return store.createRunIn(ref, run);
    const experimentId = this.experimentIdNow(ref);
    if (experimentId === undefined) return this.resolveExperimentId(ref).then((id) => store.createRun({ ...run, experimentId: id }));
    return store.createRun({ ...run, experimentId });
  }

  /**
   * Whether a new run's row is written without resolving its experiment
   * first: on a store whose reads need a network (the remote store), so a
   * run starts while the server does not answer. The write thread of an
   * asynchronous store resolves first, as before.
   */
  createsRunsByExperimentRef(): boolean {
    const store = this.store();
    return store !== this.worker && store.createRunIn !== undefined;
  }

  private remember(ref: string, exp: Experiment): string {
    if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
    this.experimentIds.set(ref, exp.experimentId);
    return exp.experimentId;
  }

  // ---- lifecycle participant ------------------------------------------------------

  heartbeat(now: number): void {
    if (this.routed !== undefined) this.runs.heartbeat(this.routed, now);
  }

  endAll(status: lifecycle.EndStatus, message: string | null): Promise<void> {
    return this.runs.endAll(status, message);
  }

  /**
   * Inside `process.on('exit')`: issues the final writes of every owned run
   * (a synchronous store finishes them here), then blocks until the write
   * thread of an asynchronous store has applied them.
   */
  endAtExit(status: lifecycle.EndStatus, message: string | null): void {
    if (this.routed === undefined) return;
    this.runs.endAtExit(status, message);
    this.worker?.drainSync();
  }

  // ---- opening ----------------------------------------------------------------------

  /** The backend on this thread (reads, the registry, the reaper), opened once. */
  private mainBackend(): Promise<StoreBackend> {
    if (this.backend !== undefined) return Promise.resolve(this.backend);
    // With a write thread, this thread opens second. Opening may migrate the schema in a transaction holding a lock;
    // were this thread to hold it when it blocks in drainSync() at exit, the write thread could not write the last runs.
    const afterWriter = this.worker?.opened ?? Promise.resolve();
    this.opening ??= afterWriter.then(() => openStore(this.uri, this.openOptions)).then((backend) => {
      this.backend = backend;
      return backend;
    }, (err: unknown) => {
      this.opening = undefined;
      throw asTracklabError(err, `open the tracking store ${this.uri.display}`);
    });
    return this.opening;
  }

  private adopt(backend: StoreBackend): void {
    this.backend = backend;
    this.opening = Promise.resolve(backend);
    this.routed = backend.tracking;
    this.reaped = this.reap(backend.tracking);
  }

  /** Runs left RUNNING by dead processes become CRASHED; calls wait for it (see `call`). */
  private reap(store: TrackingStore): Promise<unknown> {
    if (!this.reapOnOpen) return Promise.resolve();
    return store.reapCrashedRuns(lifecycle.isOwnerAlive, lifecycle.STALE_AFTER_MS).catch(() => undefined);
  }
}
