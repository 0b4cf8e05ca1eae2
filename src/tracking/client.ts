/**
 * TrackingClient: every tracking operation with explicit ids (MLflow's
 * MlflowClient), under the fluent API and the active run. Each operation is
 * documented here and implemented by concern in client-*.ts, where it
 * validates its input once, then calls the store.
 */
import type { Table } from 'apache-arrow';
import type { ArtifactLocation, ArtifactRepository } from '../artifacts/artifact-repository';
import type { GcOptions, GcResult } from '../artifacts/artifact-gc';
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, CellRecord, DatasetInput, Experiment, MetricColumns, Run, RunInfo, RunInput, RunStatus } from '../entities';
import type { BackupOptions, BackupResult } from '../maintenance/backup';
import type { DoctorOptions, DoctorReport } from '../maintenance/doctor';
import type { MetricBuffer } from '../metrics/metric-buffer';
import type { RunEnd, TrackingStore } from '../store/store';
import * as lifecycle from './lifecycle';
import { openStore } from './open-store';
import { prepareRun, type CreateRunOptions, type PreparedRun } from './run-input';
import { resolveHome } from './settings';
import * as artifactOps from './client-artifacts';
import { asTracklabError } from './client-errors';
import * as experimentOps from './client-experiments';
import * as maintenance from './client-maintenance';
import * as runLifecycle from './client-run-lifecycle';
import type { OwnedRun } from './client-run-lifecycle';
import * as runOps from './client-runs';
import type { BatchInput } from './client-runs';
import { runCount, runSearch, experimentSearch, exportHistory, type SearchExperimentsOptions, type SearchRunsOptions, type ExportQuery } from './client-search';

export type { SearchExperimentsOptions, SearchRunsOptions, ExportQuery } from './client-search';
export type { CreateRunOptions } from './run-input';
export type { OwnedRun, BatchInput };
export { asTracklabError };

export interface TrackingClientOptions {
  /** Store folder; default from configure(), TRACKLAB_HOME or `<cwd>/.tracklab`. */
  readonly home?: string;
  /** A store instance to use instead of opening the embedded one. */
  readonly store?: TrackingStore;
  /**
   * Mark RUNNING runs whose process is gone as CRASHED when the store opens
   * (default true). `tracklab doctor` turns it off to report them first.
   */
  readonly reapCrashedRuns?: boolean;
}

export class TrackingClient implements lifecycle.LifecycleParticipant {
  readonly home: string;
  private opened: TrackingStore | undefined;
  private reaped: Promise<unknown> = Promise.resolve();
  private artifactRepo: ArtifactRepository | undefined;
  private readonly runs: runLifecycle.RunState = runLifecycle.newRunState();
  private readonly experimentIds: experimentOps.ExperimentIds = new Map();
  private readonly ownsStore: boolean;
  private readonly reapOnOpen: boolean;

  constructor(options: TrackingClientOptions = {}) {
    this.home = options.store?.root ?? resolveHome(options.home);
    this.opened = options.store;
    this.ownsStore = options.store === undefined;
    this.reapOnOpen = options.reapCrashedRuns !== false;
    if (this.opened) this.reap(this.opened);
  }

  /** The store, opened on first use. Runs left RUNNING by dead processes are marked CRASHED on open. */
  get store(): TrackingStore {
    if (this.opened === undefined) {
      try {
        this.opened = openStore(this.home);
      } catch (err) {
        throw asTracklabError(err, `open the tracking store in ${this.home}`);
      }
      this.reap(this.opened);
    }
    return this.opened;
  }

  /**
   * Flushes buffered metrics and closes the store if this client opened it.
   * Runs it still owns are left as they are (a later process reaps them).
   * @example const client = new TrackingClient(); try { ... } finally { await client.close(); }
   */
  async close(): Promise<void> {
    if (this.opened === undefined) return;
    await this.flush();
    for (const runId of [...this.runs.owned.keys()]) this.release(runId);
    if (this.ownsStore) this.opened.close();
    this.opened = undefined;
    this.runs.buffer?.close();
    this.runs.buffer = undefined;
  }

  /** @internal The hot-path buffer shared by every run of this client. */
  get buffer(): MetricBuffer {
    return runLifecycle.metricBuffer(this, this.runs);
  }

  // ---- experiments -------------------------------------------------------

  /**
   * Creates an experiment. Throws RESOURCE_ALREADY_EXISTS when the name is taken.
   * @example const exp = await client.createExperiment('mnist', { description: 'baseline CNN' });
   */
  createExperiment(name: string, options: { description?: string; tags?: Readonly<Record<string, unknown>> } = {}): Promise<Experiment> {
    return experimentOps.createExperiment(this, name, options);
  }

  /**
   * An experiment by id or name. Throws RESOURCE_DOES_NOT_EXIST.
   * @example const exp = await client.getExperiment('mnist');
   */
  getExperiment(idOrName: string): Promise<Experiment> {
    return experimentOps.getExperiment(this, idOrName);
  }

  /**
   * Experiments matching an MLflow-style filter (`name LIKE 'mnist%'`), one page at a time.
   * @example const { experiments } = await client.searchExperiments({ filter: "name LIKE 'mnist%'" });
   */
  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<{ experiments: readonly Experiment[]; nextPageToken?: string }> {
    return experimentSearch(this, options);
  }

  /** @example await client.renameExperiment('mnist', 'mnist-v1'); */
  renameExperiment(idOrName: string, newName: string): Promise<Experiment> {
    return experimentOps.renameExperiment(this, this.experimentIds, idOrName, newName);
  }

  /** Moves an experiment (and hides its runs) to the deleted stage. @example await client.deleteExperiment('scratch'); */
  deleteExperiment(idOrName: string): Promise<void> {
    return experimentOps.deleteExperiment(this, this.experimentIds, idOrName);
  }

  /** @example await client.restoreExperiment('scratch'); */
  restoreExperiment(idOrName: string): Promise<void> {
    return experimentOps.restoreExperiment(this, idOrName);
  }

  /** @example await client.setExperimentTag('mnist', 'team', 'vision'); */
  setExperimentTag(idOrName: string, key: string, value: string): Promise<void> {
    return experimentOps.setExperimentTag(this, idOrName, key, value);
  }

  // ---- runs --------------------------------------------------------------

  /**
   * Creates a RUNNING run owned by this process, with system tags (user, git, versions).
   * Prefer `tracklab.startRun()` in notebooks and scripts; this is the explicit-id form.
   * @example const run = await client.createRun({ experiment: 'mnist', params: { lr: 0.01 } });
   */
  createRun(options: CreateRunOptions = {}): Promise<RunInfo> {
    return runOps.createRun(this, options);
  }

  /** @example const run = await client.getRun(runId); run.data.metrics.loss?.last */
  getRun(runId: string): Promise<Run> {
    return runOps.getRun(this, runId);
  }

  /** Params are write-once: the same value again is a no-op, a different one throws INVALID_PARAMETER_VALUE. @example await client.logParam(runId, 'lr', 0.01); */
  logParam(runId: string, key: string, value: unknown): Promise<void> {
    return runOps.logParam(this, runId, key, value);
  }

  /** @example await client.logParams(runId, { lr: 0.01, layers: [64, 32] }); */
  logParams(runId: string, params: Readonly<Record<string, unknown>>): Promise<void> {
    return runOps.logParams(this, runId, params);
  }

  /** @example await client.setTag(runId, 'note', 'first try'); */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.setTags(runId, { [key]: value });
  }

  /** The run's free-text note (tag `tracklab.note`, shown by `run show` and the run card). @example await client.setNote(runId, 'baseline; data v2'); */
  async setNote(runId: string, text: string): Promise<void> {
    await this.setTag(runId, 'tracklab.note', text);
  }

  /** @example await client.setTags(runId, { stage: 'tuning', owner: 'ana' }); */
  setTags(runId: string, tags: Readonly<Record<string, unknown>>): Promise<void> {
    return runOps.setTags(this, runId, tags);
  }

  /** @example await client.deleteTag(runId, 'note'); */
  deleteTag(runId: string, key: string): Promise<void> {
    return runOps.deleteTag(this, runId, key);
  }

  /**
   * Params, tags and metric points in one write. Metric steps default to 0, timestamps to now.
   * @example await client.logBatch(runId, { params: { lr: 0.1 }, metrics: [{ key: 'loss', value: 0.5, step: 1 }] });
   */
  logBatch(runId: string, batch: BatchInput): Promise<void> {
    return runOps.logBatch(this, runId, batch);
  }

  /**
   * Buffers one metric point; synchronous, written within about a second or on `flush()`.
   * Step defaults to 0 (MLflow's default), timestamp to now. NaN and ±Infinity are kept exactly.
   * @example client.logMetric(runId, 'loss', 0.25, 10);
   */
  logMetric(runId: string, key: string, value: number, step = 0, timestamp = Date.now()): void {
    runOps.logMetric(this, runId, key, value, step, timestamp);
  }

  /** @example client.logMetrics(runId, { loss: 0.25, acc: 0.9 }, 10); */
  logMetrics(runId: string, metrics: Readonly<Record<string, number>>, step = 0, timestamp = Date.now()): void {
    runOps.logMetrics(this, runId, metrics, step, timestamp);
  }

  /**
   * Writes every buffered metric point and waits for pending writes. Rethrows a write failure once.
   * @example client.logMetric(runId, 'loss', 0.1); await client.flush();
   */
  flush(): Promise<void> {
    return runLifecycle.flush(this.runs);
  }

  /** @internal Flushes one run's points and rethrows its write failure once. */
  flushRun(runId: string): Promise<void> {
    return runLifecycle.flushRun(this.runs, runId);
  }

  /**
   * Ends a run: flushes its metrics, then records status and end time.
   * @example await client.setTerminated(runId, 'FAILED', 'diverged at step 300');
   */
  setTerminated(runId: string, status: RunStatus = 'FINISHED', message?: string): Promise<RunInfo> {
    return runLifecycle.setTerminated(this, this.runs, runId, status, message);
  }

  /**
   * @internal Ends a run in one store write: earlier writes land first, then
   * the points still buffered go in with the status change.
   */
  completeRun(runId: string, status: RunStatus, message: string | null): Promise<RunInfo> {
    return runLifecycle.completeRun(this, this.runs, runId, status, message);
  }

  /** Moves a run to the deleted stage (kept until `gc`). @example await client.deleteRun(runId); */
  deleteRun(runId: string): Promise<void> {
    return runOps.deleteRun(this, runId);
  }

  /** @example await client.restoreRun(runId); */
  restoreRun(runId: string): Promise<void> {
    return runOps.restoreRun(this, runId);
  }

  /**
   * Runs matching an MLflow filter (plus OR and parentheses), newest first unless `orderBy` says otherwise.
   * @example const { runs } = await client.searchRuns({ experiments: ['mnist'], filter: 'metrics.acc > 0.9', orderBy: ['metrics.acc DESC'] });
   */
  async searchRuns(options: SearchRunsOptions = {}): Promise<{ runs: readonly Run[]; nextPageToken?: string }> {
    return runSearch(this, options);
  }

  /**
   * How many runs a search matches (same experiments, filter and lifecycle as `searchRuns`), without reading them.
   * @example const n = await client.countRuns({ experiments: ['mnist'], filter: "status = 'RUNNING'" });
   */
  countRuns(options: Pick<SearchRunsOptions, 'experiments' | 'filter' | 'viewType'> = {}): Promise<number> {
    return runCount(this, options);
  }

  /**
   * Full metric history as an Arrow table (run_id, key, step, timestamp, value). Buffered points are flushed first.
   * @example const table = await client.metricHistory(runId, ['loss']);
   */
  metricHistory(runIds: string | readonly string[], keys?: readonly string[]): Promise<Table> {
    return runOps.metricHistory(this, runIds, keys);
  }

  /**
   * Every point of the runs (and keys) as column blocks (Float64Arrays of steps, timestamps and values, in
   * stored order; a long history is several blocks): what charts need, without building an Arrow table.
   * Buffered points are flushed first.
   * @example const blocks = await client.metricColumns([runId], ['loss']);
   */
  metricColumns(runIds: string | readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]> {
    return runOps.metricColumns(this, runIds, keys);
  }

  /**
   * Search results as an Arrow table: one row per run, one column per param and metric.
   * @example const table = await client.searchRunsArrow({ experiments: ['mnist'] });
   */
  searchRunsArrow(options: SearchRunsOptions = {}): Promise<Table> {
    return runOps.searchRunsArrow(this, options);
  }

  /**
   * Writes the metric history of the given runs (or of the runs a search finds) as an Arrow IPC file.
   * @example await client.exportArrow('history.arrow', { runIds: [runId] });
   */
  async exportArrow(path: string, query: ExportQuery): Promise<void> {
    await exportHistory(this, path, query);
  }

  // ---- dataset inputs (see src/datasets/) --------------------------------

  /**
   * Records a dataset a run used: name, content digest (equal data, equal
   * digest), source, schema, row count and a small profile. Takes an
   * apache-arrow Table, an array of row objects, or a file path (CSV, TSV,
   * JSON, JSON lines, Arrow). Search with `datasets.name`, `datasets.digest`
   * and `datasets.context`.
   * @example await client.logInput(runId, 'data/train.csv', { context: 'training' });
   */
  logInput(runId: string, dataset: DatasetSource, options: LogInputOptions = {}): Promise<DatasetInput> {
    return artifactOps.logInput(this, runId, dataset, options);
  }

  /** The dataset inputs of a run (or runs, in the order given). @example const [input] = await client.listInputs(runId); */
  listInputs(runIds: string | readonly string[]): Promise<readonly RunInput[]> {
    return artifactOps.listInputs(this, runIds);
  }

  // ---- artifacts (see src/artifacts/artifact-repository.ts) --------------

  /** @internal */
  get artifacts(): ArtifactRepository {
    this.artifactRepo ??= new (require('../artifacts/artifact-repository') as typeof import('../artifacts/artifact-repository')).ArtifactRepository(this.store);
    return this.artifactRepo;
  }

  /**
   * Logs a file, folder, bytes, `{ text }` or `{ json }` to a run; identical content is stored once.
   * @example await client.logArtifact(runId, './model.onnx'); await client.logArtifact(runId, { json: cfg }, 'config.json');
   */
  logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    return artifactOps.logArtifact(this, runId, source, artifactPath);
  }

  /** Logs every file under a folder (MLflow's log_artifacts). @example await client.logArtifacts(runId, './outputs', 'outputs'); */
  logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<ArtifactEntry[]> {
    return artifactOps.logArtifacts(this, runId, localDir, artifactPath);
  }

  /**
   * @internal Records blobs already in the content store on a run (used for provenance diffs shared by many runs).
   * False when a blob is gone (a gc removed it): the caller logs the content again, which rewrites the same manifest row.
   */
  linkArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<boolean> {
    return artifactOps.linkArtifacts(this, runId, entries);
  }

  /** The bytes of one artifact file of a run. @example const text = (await client.openArtifact(runId, 'config.json')).toString('utf8'); */
  openArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    return artifactOps.openArtifact(this, runId, artifactPath);
  }

  /** @internal Records one executed notebook cell on a run (the notebook bridge calls this). */
  recordCell(cell: CellRecord): Promise<void> {
    return artifactOps.recordCell(this, cell);
  }

  /**
   * The notebook cells executed while the run was active, in order, with their source.
   * @example for (const cell of await client.listCells(runId)) console.log(cell.executionCount, cell.source);
   */
  listCells(runId: string): Promise<readonly CellRecord[]> {
    return artifactOps.listCells(this, runId);
  }

  /** @example const entries = await client.listArtifacts(runId, 'plots'); */
  listArtifacts(runId: string, prefix?: string): Promise<ArtifactEntry[]> {
    return artifactOps.listArtifacts(this, runId, prefix);
  }

  /** Copies a run's artifacts (`runs:/<id>/<path>`) to `dest` (default: a temp folder) and returns the local path. @example const dir = await client.downloadArtifacts(`runs:/${runId}/plots`, './out'); */
  async downloadArtifacts(location: ArtifactLocation, dest?: string): Promise<string> {
    return this.artifacts.downloadArtifacts(location, dest);
  }

  /** Purges deleted runs and removes content no run references. @example const { freedBytes } = await client.gc(); */
  async gc(options?: GcOptions): Promise<GcResult> {
    return this.artifacts.gc(options);
  }

  // ---- maintenance (see src/maintenance/) ---------------------------------

  /**
   * Copies the store into `dest` (a new or empty folder) while other
   * processes keep logging: a consistent snapshot of the database plus every
   * artifact blob it references (sha256-checked). The copy is a store of its
   * own: open it with `new TrackingClient({ home: dest })` or `--home DEST`.
   * @example const { blobs, bytes } = await client.backup('/backups/tracklab-2024-06-01', { onProgress: (p) => console.log(p) });
   */
  backup(dest: string, options: BackupOptions = {}): Promise<BackupResult> {
    return maintenance.backup(this, dest, options);
  }

  /**
   * Checks the store: database integrity, artifact content against its
   * sha256, orphaned content, stale gc locks, runs stuck RUNNING. Repairs
   * what it can only with `{ fix: true }`.
   * @example const report = await client.doctor(); if (!report.healthy) console.log(report.findings);
   */
  doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
    return maintenance.doctor(this, options);
  }

  // ---- internals shared with ActiveRun and the lifecycle -----------------

  /** @internal Validated input of a new run, before its experiment is resolved. */
  prepareRun(options: CreateRunOptions): PreparedRun {
    return prepareRun(options);
  }

  /** @internal Experiment id for a name or id seen before by this client. */
  cachedExperimentId(ref: string): string | undefined {
    return this.experimentIds.get(ref);
  }

  /** @internal Finds the experiment by id or name, creating it by name when missing. Refuses deleted ones. */
  resolveExperimentId(ref: string): Promise<string> {
    return experimentOps.resolveExperimentId(this, this.experimentIds, ref);
  }

  /** @internal The experiment id when the store can resolve it synchronously (see TrackingStore.resolveExperimentSync). */
  resolveExperimentIdSync(ref: string): string | undefined {
    return experimentOps.resolveExperimentIdSync(this, this.experimentIds, ref);
  }

  /** @internal Registers a running run for heartbeats and the exit handler. */
  adopt(run: OwnedRun): void {
    runLifecycle.adopt(this, this.runs, run);
  }

  /** @internal */
  release(runId: string): void {
    runLifecycle.release(this, this.runs, runId);
  }

  /** @internal Store call with driver errors wrapped; reads wait for the crash reaper. */
  async call<T>(what: string, op: (store: TrackingStore) => Promise<T>): Promise<T> {
    const store = this.store;
    await this.reaped;
    try {
      return await op(store);
    } catch (err) {
      throw asTracklabError(err, what);
    }
  }

  heartbeat(now: number): void {
    runLifecycle.heartbeat(this.opened, this.runs, now);
  }

  endAll(status: lifecycle.EndStatus, message: string | null): Promise<void> {
    return runLifecycle.endAll(this.runs, status, message);
  }

  endAllSync(status: lifecycle.EndStatus, message: string | null): void {
    runLifecycle.endAllSync(this.opened, this.runs, status, message);
  }

  /** @internal How a run not written yet ends: its outcome, with its buffered points taken out of the buffer. */
  takeEnd(runId: string, status: Exclude<RunStatus, 'RUNNING'>, message: string | null): RunEnd {
    return runLifecycle.takeEnd(this.runs, runId, status, message);
  }

  /** @internal Exit path: with synchronous stores the writes finish inside these calls. */
  endSync(runId: string, status: lifecycle.EndStatus, message: string | null): void {
    runLifecycle.endSync(this.opened, this.runs, runId, status, message);
  }

  private reap(store: TrackingStore): void {
    if (!this.reapOnOpen) return;
    this.reaped = store.reapCrashedRuns(lifecycle.isOwnerAlive, lifecycle.STALE_AFTER_MS).catch(() => undefined);
  }
}
