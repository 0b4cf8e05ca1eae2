/**
 * TrackingClient: every tracking operation with explicit ids (MLflow's
 * MlflowClient), under the fluent API and the active run. Each operation is
 * documented here and implemented by concern in client-*.ts over the client
 * core (client-core.ts), where it validates its input once, then calls the
 * store. The client itself holds nothing but its core.
 */
import type { Table } from 'apache-arrow';
import type { ArtifactLocation } from '../artifacts/artifact-repository';
import type { GcOptions, GcResult } from '../artifacts/artifact-gc';
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, CellRecord, DatasetInput, Experiment, MetricColumns, Run, RunInfo, RunInput, RunStatus } from '../entities';
import { backendOf } from '../store/open-store';
import type { TrackingStore } from '../store/store';
import { connectionUri } from '../store/store-uri';
import type { BackupOptions, BackupResult } from '../maintenance/backup';
import type { DoctorOptions, DoctorReport } from '../maintenance/doctor';
import { ClientCore } from './client-core';
import * as artifactOps from './client-artifacts';
import * as mediaOps from './client-media';
import type { LoggedFigure, LoggedImage, LoggedTable } from '../media/log-media';
import type { TableSource } from '../media/arrow-table';
import { asTracklabError } from './client-errors';
import * as experimentOps from './client-experiments';
import * as maintenance from './client-maintenance';
import * as runOps from './client-runs';
import type { BatchInput } from './client-runs';
import type { SearchExperimentsOptions, SearchRunsOptions, ExportQuery } from './client-search';
import type { CreateRunOptions } from './run-input';
import type { OwnedRun } from './run-state';
import { resolveStore, storeEnv } from './settings';
import { validateOptionNames, type OptionNames } from '../option-names';

export type { SearchExperimentsOptions, SearchRunsOptions, ExportQuery } from './client-search';
export type { CreateRunOptions } from './run-input';
export type { OwnedRun, BatchInput };
export { asTracklabError };

// Loaded on first search: the filter grammar and page tokens (node:crypto) stay out of a cold start.
function search(): typeof import('./client-search') {
  return require('./client-search') as typeof import('./client-search');
}

export interface TrackingClientOptions {
  /**
   * Store folder (the SQLite shorthand), or any tracking URI. Default: from
   * configure(), TRACKLAB_TRACKING_URI, TRACKLAB_HOME, else the nearest `.tracklab`.
   */
  readonly home?: string;
  /** Tracking URI: a store folder, `sqlite:///abs/path/tracklab.db` or `postgresql://user:pass@host:5432/db`. Same as `home`. */
  readonly trackingUri?: string;
  /** Folder (or file:///…) for artifacts. Default: configure(), TRACKLAB_ARTIFACT_ROOT, else inside an embedded store. */
  readonly artifactRoot?: string;
  /** A store instance to use instead of opening one (the client does not close it). */
  readonly store?: TrackingStore;
  /**
   * Mark RUNNING runs whose process is gone as CRASHED when the store opens
   * (default true). `tracklab doctor` turns it off to report them first.
   */
  readonly reapCrashedRuns?: boolean;
  /**
   * Create the store when it is not there (default true). With false, a
   * SQLite store whose database file is missing is a RESOURCE_DOES_NOT_EXIST
   * error at the first call, and nothing is created: for reading.
   */
  readonly createStore?: boolean;
}

const TRACKING_CLIENT_OPTIONS: OptionNames<TrackingClientOptions> = { home: true, trackingUri: true, artifactRoot: true, store: true, reapCrashedRuns: true, createStore: true };

export class TrackingClient {
  /** The store folder (SQLite), or the tracking URI with its password masked. */
  readonly home: string;
  /** The tracking URI, password masked: what to show. */
  readonly trackingUri: string;
  /** @internal The client core; operation modules and ActiveRun go through it. */
  readonly core: ClientCore;

  constructor(options: TrackingClientOptions = {}) {
    validateOptionNames('new TrackingClient()', options, TRACKING_CLIENT_OPTIONS);
    const resolved = resolveStore({ trackingUri: options.trackingUri ?? options.home, artifactRoot: options.artifactRoot });
    this.core = new ClientCore({ uri: resolved.uri, artifactRoot: resolved.artifactRoot, backend: options.store && backendOf(options.store, resolved.uri), reapCrashedRuns: options.reapCrashedRuns, createStore: options.createStore });
    this.trackingUri = this.core.uri.display;
    this.home = this.core.uri.scheme === 'sqlite' ? this.core.uri.folder : this.trackingUri;
  }

  /** @internal The store (opened on first use). Callers above the client use client methods instead. */
  get store(): TrackingStore {
    return this.core.store();
  }

  /**
   * Flushes buffered metrics and closes the store if this client opened it.
   * Runs it still owns are left as they are (a later process reaps them).
   * @example const client = new TrackingClient(); try { ... } finally { await client.close(); }
   */
  close(): Promise<void> {
    return this.core.close();
  }

  /** The artifact folder of this store: configured, or the store's own. Throws when the store has none and none is set. @example const root = await client.artifactRoot(); */
  artifactRoot(): Promise<string> {
    return this.core.artifactRoot();
  }

  /** @internal Environment for a process that should log into this same store (a project's kernel or script). */
  childEnv(): Record<string, string> {
    return storeEnv(connectionUri(this.core.uri), this.core.configuredArtifactRoot);
  }

  // ---- experiments -------------------------------------------------------

  /**
   * Creates an experiment. Throws RESOURCE_ALREADY_EXISTS when the name is taken.
   * @example const exp = await client.createExperiment('mnist', { description: 'baseline CNN' });
   */
  createExperiment(name: string, options: { description?: string; tags?: Readonly<Record<string, unknown>> } = {}): Promise<Experiment> {
    return experimentOps.createExperiment(this.core, name, options);
  }

  /**
   * An experiment by id or name. Throws RESOURCE_DOES_NOT_EXIST.
   * @example const exp = await client.getExperiment('mnist');
   */
  getExperiment(idOrName: string): Promise<Experiment> {
    return experimentOps.getExperiment(this.core, idOrName);
  }

  /**
   * Experiments matching an MLflow-style filter (`name LIKE 'mnist%'`), one page at a time.
   * @example const { experiments } = await client.searchExperiments({ filter: "name LIKE 'mnist%'" });
   */
  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<{ experiments: readonly Experiment[]; nextPageToken?: string }> {
    return search().experimentSearch(this.core, options);
  }

  /** @example await client.renameExperiment('mnist', 'mnist-v1'); */
  renameExperiment(idOrName: string, newName: string): Promise<Experiment> {
    return experimentOps.renameExperiment(this.core, idOrName, newName);
  }

  /** Moves an experiment (and hides its runs) to the deleted stage. @example await client.deleteExperiment('scratch'); */
  deleteExperiment(idOrName: string): Promise<void> {
    return experimentOps.deleteExperiment(this.core, idOrName);
  }

  /** @example await client.restoreExperiment('scratch'); */
  restoreExperiment(idOrName: string): Promise<void> {
    return experimentOps.restoreExperiment(this.core, idOrName);
  }

  /** @example await client.setExperimentTag('mnist', 'team', 'vision'); */
  setExperimentTag(idOrName: string, key: string, value: string): Promise<void> {
    return experimentOps.setExperimentTag(this.core, idOrName, key, value);
  }

  // ---- runs --------------------------------------------------------------

  /**
   * Creates a RUNNING run owned by this process, with system tags (user, git, versions).
   * Prefer `tracklab.startRun()` in notebooks and scripts; this is the explicit-id form.
   * @example const run = await client.createRun({ experiment: 'mnist', params: { lr: 0.01 } });
   */
  createRun(options: CreateRunOptions = {}): Promise<RunInfo> {
    return runOps.createRun(this.core, options);
  }

  /** @example const run = await client.getRun(runId); run.data.metrics.loss?.last */
  getRun(runId: string): Promise<Run> {
    return runOps.getRun(this.core, runId);
  }

  /** Params are write-once: the same value again is a no-op, a different one throws INVALID_PARAMETER_VALUE. @example await client.logParam(runId, 'lr', 0.01); */
  logParam(runId: string, key: string, value: unknown): Promise<void> {
    return runOps.logParam(this.core, runId, key, value);
  }

  /** @example await client.logParams(runId, { lr: 0.01, layers: [64, 32] }); */
  logParams(runId: string, params: Readonly<Record<string, unknown>>): Promise<void> {
    return runOps.logParams(this.core, runId, params);
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
    return runOps.setTags(this.core, runId, tags);
  }

  /** @example await client.deleteTag(runId, 'note'); */
  deleteTag(runId: string, key: string): Promise<void> {
    return runOps.deleteTag(this.core, runId, key);
  }

  /**
   * Params, tags and metric points in one write. Metric steps default to 0, timestamps to now.
   * @example await client.logBatch(runId, { params: { lr: 0.1 }, metrics: [{ key: 'loss', value: 0.5, step: 1 }] });
   */
  logBatch(runId: string, batch: BatchInput): Promise<void> {
    return runOps.logBatch(this.core, runId, batch);
  }

  /**
   * Buffers one metric point; synchronous, written within about a second or on `flush()`.
   * Step defaults to 0 (MLflow's default), timestamp to now. NaN and ±Infinity are kept exactly.
   * @example client.logMetric(runId, 'loss', 0.25, 10);
   */
  logMetric(runId: string, key: string, value: number, step = 0, timestamp = Date.now()): void {
    runOps.logMetric(this.core, runId, key, value, step, timestamp);
  }

  /** @example client.logMetrics(runId, { loss: 0.25, acc: 0.9 }, 10); */
  logMetrics(runId: string, metrics: Readonly<Record<string, number>>, step = 0, timestamp = Date.now()): void {
    runOps.logMetrics(this.core, runId, metrics, step, timestamp);
  }

  /**
   * Writes every buffered metric point and waits for pending writes. Rethrows a write failure once.
   * With a tracking server that does not answer, waits only until the points are in the local outbox.
   * @example client.logMetric(runId, 'loss', 0.1); await client.flush();
   */
  flush(): Promise<void> {
    return this.core.runs.flush();
  }

  /**
   * Ends a run: flushes its metrics, then records status and end time.
   * @example await client.setTerminated(runId, 'FAILED', 'diverged at step 300');
   */
  setTerminated(runId: string, status: RunStatus = 'FINISHED', message?: string): Promise<RunInfo> {
    return runOps.setTerminated(this.core, runId, status, message);
  }

  /** Moves a run to the deleted stage (kept until `gc`). @example await client.deleteRun(runId); */
  deleteRun(runId: string): Promise<void> {
    return runOps.deleteRun(this.core, runId);
  }

  /** @example await client.restoreRun(runId); */
  restoreRun(runId: string): Promise<void> {
    return runOps.restoreRun(this.core, runId);
  }

  /**
   * Runs matching an MLflow filter (plus OR and parentheses), newest first unless `orderBy` says otherwise.
   * @example const { runs } = await client.searchRuns({ experiments: ['mnist'], filter: 'metrics.acc > 0.9', orderBy: ['metrics.acc DESC'] });
   */
  async searchRuns(options: SearchRunsOptions = {}): Promise<{ runs: readonly Run[]; nextPageToken?: string }> {
    return search().runSearch(this.core, options);
  }

  /**
   * How many runs a search matches (same experiments, filter and lifecycle as `searchRuns`), without reading them.
   * @example const n = await client.countRuns({ experiments: ['mnist'], filter: "status = 'RUNNING'" });
   */
  countRuns(options: Pick<SearchRunsOptions, 'experiments' | 'filter' | 'viewType'> = {}): Promise<number> {
    return search().runCount(this.core, options);
  }

  /**
   * Full metric history as an Arrow table (run_id, key, step, timestamp, value). Buffered points are flushed first.
   * @example const table = await client.metricHistory(runId, ['loss']);
   */
  metricHistory(runIds: string | readonly string[], keys?: readonly string[]): Promise<Table> {
    return runOps.metricHistory(this.core, runIds, keys);
  }

  /**
   * The same history as column blocks (one per run and key: steps, timestamps, values), for views that chart it.
   * @example const blocks = await client.metricColumns([runId], ['loss']);
   */
  metricColumns(runIds: string | readonly string[], keys?: readonly string[]): Promise<readonly MetricColumns[]> {
    return runOps.metricColumns(this.core, runIds, keys);
  }


  /**
   * Search results as an Arrow table: one row per run, one column per param and metric.
   * @example const table = await client.searchRunsArrow({ experiments: ['mnist'] });
   */
  searchRunsArrow(options: SearchRunsOptions = {}): Promise<Table> {
    return search().searchRunsArrow(this.core, options);
  }

  /**
   * Writes the metric history of the given runs (or of the runs a search finds) as an Arrow IPC file.
   * @example await client.exportArrow('history.arrow', { runIds: [runId] });
   */
  async exportArrow(path: string, query: ExportQuery): Promise<void> {
    await search().exportHistory(this.core, path, query);
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
    return artifactOps.logInput(this.core, runId, dataset, options);
  }

  /** The dataset inputs of a run (or runs, in the order given). @example const [input] = await client.listInputs(runId); */
  listInputs(runIds: string | readonly string[]): Promise<readonly RunInput[]> {
    return artifactOps.listInputs(this.core, runIds);
  }

  // ---- artifacts (see src/artifacts/artifact-repository.ts) --------------

  /**
   * Logs a file, folder, bytes, `{ text }` or `{ json }` to a run; identical content is stored once.
   * @example await client.logArtifact(runId, './model.onnx'); await client.logArtifact(runId, { json: cfg }, 'config.json');
   */
  logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    return artifactOps.logArtifact(this.core, runId, source, artifactPath);
  }

  // ---- media and structured logging (see src/media/log-media.ts) --------

  /**
   * Logs an image at a step of `key`: PNG or JPEG bytes (stored byte for
   * byte), pixels with a shape (`{ data, shape: [h, w, c] }`, nested arrays)
   * or a tfjs tensor (stored as PNG), at `images/<key>/step_<step>.png`.
   * @example await client.logImage(runId, { data: rgba, shape: [32, 32, 4] }, 'samples', { step: 10 });
   */
  logImage(runId: string, image: unknown, key: string, options: { step?: number } = {}): Promise<LoggedImage> {
    return mediaOps.logImage(this, runId, image, key, options);
  }

  /**
   * Logs rows, columns or an apache-arrow Table as `tables/<name>.arrow` (Arrow IPC with its schema).
   * @example await client.logTable(runId, [{ id: 1, label: 'cat' }], 'samples');
   */
  logTable(runId: string, data: TableSource, name: string): Promise<LoggedTable> {
    return mediaOps.logTable(this, runId, data, name);
  }

  /**
   * Logs a Vega-Lite v5 spec and its server-rendered SVG as `figures/<name>.vl.json` and `.svg`.
   * Specs that load anything (`url` data, image URLs, links, loaders) are refused.
   * @example await client.logFigure(runId, { mark: 'bar', data: { values }, encoding }, 'class-balance');
   */
  logFigure(runId: string, spec: unknown, name: string): Promise<LoggedFigure> {
    return mediaOps.logFigure(this, runId, spec, name);
  }

  /** MLflow's log_text. @example await client.logText(runId, 'all good', 'notes.txt'); */
  logText(runId: string, text: string, artifactFile: string): Promise<string> {
    return mediaOps.logText(this, runId, text, artifactFile);
  }

  /** MLflow's log_dict: YAML for .yaml/.yml, JSON otherwise. @example await client.logDict(runId, { layers: 3 }, 'config.yaml'); */
  logDict(runId: string, dict: unknown, artifactFile: string): Promise<string> {
    return mediaOps.logDict(this, runId, dict, artifactFile);
  }

  /** Logs every file under a folder (MLflow's log_artifacts). @example await client.logArtifacts(runId, './outputs', 'outputs'); */
  logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<ArtifactEntry[]> {
    return artifactOps.logArtifacts(this.core, runId, localDir, artifactPath);
  }

  /**
   * @internal Records blobs already in the content store on a run (used for provenance diffs shared by many runs).
   * False when a blob is gone (a gc removed it): the caller logs the content again, which rewrites the same manifest row.
   */
  linkArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<boolean> {
    return this.core.linkArtifacts(runId, entries);
  }


  /** @example const entries = await client.listArtifacts(runId, 'plots'); */
  listArtifacts(runId: string, prefix?: string): Promise<ArtifactEntry[]> {
    return artifactOps.listArtifacts(this.core, runId, prefix);
  }

  /** Copies a run's artifacts (`runs:/<id>/<path>`) to `dest` (default: a temp folder) and returns the local path. @example const dir = await client.downloadArtifacts(`runs:/${runId}/plots`, './out'); */
  async downloadArtifacts(location: ArtifactLocation, dest?: string): Promise<string> {
    return (await this.core.artifacts()).downloadArtifacts(location, dest);
  }

  /** The bytes of one artifact file of a run. @example const text = (await client.openArtifact(runId, 'config.json')).toString('utf8'); */
  async openArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    return (await this.core.artifacts()).openArtifact(runId, artifactPath);
  }

  /** Purges deleted runs and removes content no run references. @example const { freedBytes } = await client.gc(); */
  async gc(options?: GcOptions): Promise<GcResult> {
    return (await this.core.artifacts()).gc(options);
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
    return maintenance.backup(this.core, dest, options);
  }

  /**
   * Checks the store: database integrity, artifact content against its
   * sha256, orphaned content, stale gc locks, runs stuck RUNNING. Repairs
   * what it can only with `{ fix: true }`.
   * @example const report = await client.doctor(); if (!report.healthy) console.log(report.findings);
   */
  doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
    return maintenance.doctor(this.core, options);
  }

  // ---- notebook cells ------------------------------------------------------

  /** @internal Records one executed notebook cell on a run (the notebook bridge calls this). */
  recordCell(cell: CellRecord): Promise<void> {
    return artifactOps.recordCell(this.core, cell);
  }

  /** The notebook cells a run recorded, in order. @example for (const cell of await client.listCells(runId)) console.log(cell.source); */
  listCells(runId: string): Promise<readonly CellRecord[]> {
    return artifactOps.listCells(this.core, runId);
  }

  /** @internal Store call with driver errors wrapped; reads wait for the crash reaper. */
  call<T>(what: string, op: (store: TrackingStore) => Promise<T>): Promise<T> {
    return this.core.call(what, op);
  }
}
