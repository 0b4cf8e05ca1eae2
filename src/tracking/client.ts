/**
 * TrackingClient: every tracking operation with explicit ids (MLflow's
 * MlflowClient). The fluent API and the active run sit on top of it. Each
 * public operation validates its input once, here, then calls the store.
 */
import type { Table } from 'apache-arrow';
import type { ArtifactLocation, ArtifactRepository } from '../artifacts/artifact-repository';
import type { GcOptions, GcResult } from '../artifacts/artifact-gc';
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, DatasetInput, Experiment, MetricColumns, MetricPoint, Run, RunInfo, RunInput, RunStatus } from '../entities';
import { TracklabError, isTracklabError } from '../errors';
import { msg } from '../messages';
import { MetricBuffer } from '../metrics/metric-buffer';
import type { RunEnd, TrackingStore } from '../store/store';
import {
  stringifyParam, stringifyTag, validateEndStatus, validateExperimentName, validateExperimentRef,
  validateKey, validateMetric, validateParams, validateRunId, validateTags,
} from '../validation';
import * as lifecycle from './lifecycle';
import { openStore } from './open-store';
import { recordProvenance } from '../provenance/provenance';
import { prepareRun, type CreateRunOptions, type PreparedRun } from './run-input';
import { resolveHome } from './settings';
import { runSearch, experimentSearch, exportHistory, type SearchExperimentsOptions, type SearchRunsOptions, type ExportQuery } from './client-search';

export type { SearchExperimentsOptions, SearchRunsOptions, ExportQuery } from './client-search';
export type { CreateRunOptions } from './run-input';

export interface TrackingClientOptions {
  /** Store folder; default from configure(), TRACKLAB_HOME or `<cwd>/.tracklab`. */
  readonly home?: string;
  /** A store instance to use instead of opening the embedded one. */
  readonly store?: TrackingStore;
}

export interface BatchInput {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly metrics?: readonly { key: string; value: number; step?: number; timestamp?: number }[];
}

/** A run this process created and has not ended, for heartbeats and honest exit. */
export interface OwnedRun {
  readonly runId: string;
  end(status: lifecycle.EndStatus, message?: string): Promise<void>;
  endSync(status: lifecycle.EndStatus, message: string | null): void;
}

/** Wraps anything that is not a TracklabError, so driver errors never escape. */
export function asTracklabError(err: unknown, what: string): TracklabError {
  if (isTracklabError(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new TracklabError('INTERNAL_ERROR', msg.storeFailed(what, detail), { cause: err });
}

export class TrackingClient implements lifecycle.LifecycleParticipant {
  readonly home: string;
  private opened: TrackingStore | undefined;
  private reaped: Promise<unknown> = Promise.resolve();
  private metricBuffer: MetricBuffer | undefined;
  private artifactRepo: ArtifactRepository | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly writeErrors = new Map<string, TracklabError>();
  private readonly experimentIds = new Map<string, string>();
  private readonly owned = new Map<string, OwnedRun>();
  private readonly ownsStore: boolean;

  constructor(options: TrackingClientOptions = {}) {
    this.home = options.store?.root ?? resolveHome(options.home);
    this.opened = options.store;
    this.ownsStore = options.store === undefined;
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
    for (const runId of [...this.owned.keys()]) this.release(runId);
    if (this.ownsStore) this.opened.close();
    this.opened = undefined;
    this.metricBuffer?.close();
    this.metricBuffer = undefined;
  }

  /** @internal The hot-path buffer shared by every run of this client. */
  get buffer(): MetricBuffer {
    if (this.metricBuffer === undefined) {
      const store = this.store;
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

  // ---- experiments -------------------------------------------------------

  /**
   * Creates an experiment. Throws RESOURCE_ALREADY_EXISTS when the name is taken.
   * @example const exp = await client.createExperiment('mnist', { description: 'baseline CNN' });
   */
  async createExperiment(name: string, options: { description?: string; tags?: Readonly<Record<string, unknown>> } = {}): Promise<Experiment> {
    validateExperimentName(name);
    const tags = options.tags === undefined ? undefined : validateTags(options.tags);
    return this.call('create the experiment', (s) => s.createExperiment({ name, description: options.description, tags }));
  }

  /**
   * An experiment by id or name. Throws RESOURCE_DOES_NOT_EXIST.
   * @example const exp = await client.getExperiment('mnist');
   */
  async getExperiment(idOrName: string): Promise<Experiment> {
    validateExperimentRef(idOrName);
    return this.call('read the experiment', (s) => s.getExperiment(idOrName));
  }

  /**
   * Experiments matching an MLflow-style filter (`name LIKE 'mnist%'`), one page at a time.
   * @example const { experiments } = await client.searchExperiments({ filter: "name LIKE 'mnist%'" });
   */
  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<{ experiments: readonly Experiment[]; nextPageToken?: string }> {
    return experimentSearch(this, options);
  }

  /** @example await client.renameExperiment('mnist', 'mnist-v1'); */
  async renameExperiment(idOrName: string, newName: string): Promise<Experiment> {
    validateExperimentRef(idOrName);
    validateExperimentName(newName);
    const exp = await this.getExperiment(idOrName);
    this.experimentIds.clear();
    return this.call('rename the experiment', (s) => s.updateExperiment(exp.experimentId, { name: newName }));
  }

  /** Moves an experiment (and hides its runs) to the deleted stage. @example await client.deleteExperiment('scratch'); */
  async deleteExperiment(idOrName: string): Promise<void> {
    const exp = await this.getExperiment(idOrName);
    this.experimentIds.clear();
    await this.call('delete the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'deleted'));
  }

  /** @example await client.restoreExperiment('scratch'); */
  async restoreExperiment(idOrName: string): Promise<void> {
    const exp = await this.getExperiment(idOrName);
    await this.call('restore the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'active'));
  }

  /** @example await client.setExperimentTag('mnist', 'team', 'vision'); */
  async setExperimentTag(idOrName: string, key: string, value: string): Promise<void> {
    validateKey('Tag', key);
    const text = stringifyTag(key, value);
    const exp = await this.getExperiment(idOrName);
    await this.call('tag the experiment', (s) => s.setExperimentTags(exp.experimentId, { [key]: text }));
  }

  // ---- runs --------------------------------------------------------------

  /**
   * Creates a RUNNING run owned by this process, with system tags (user, git, versions).
   * Prefer `tracklab.startRun()` in notebooks and scripts; this is the explicit-id form.
   * @example const run = await client.createRun({ experiment: 'mnist', params: { lr: 0.01 } });
   */
  async createRun(options: CreateRunOptions = {}): Promise<RunInfo> {
    const input = this.prepareRun(options);
    const experimentId = this.cachedExperimentId(input.experiment) ?? await this.resolveExperimentId(input.experiment);
    const info = await this.call('create the run', (s) => s.createRun({ ...input.run, experimentId }));
    this.adopt({
      runId: info.runId,
      end: async (status, message) => { await this.setTerminated(info.runId, status, message); },
      endSync: (status, message) => this.endSync(info.runId, status, message),
    });
    await recordProvenance(this, info.runId, input.sourceDir);
    return info;
  }

  /** @example const run = await client.getRun(runId); run.data.metrics.loss?.last */
  async getRun(runId: string): Promise<Run> {
    validateRunId(runId);
    return this.call('read the run', (s) => s.getRun(runId));
  }

  /** Params are write-once: the same value again is a no-op, a different one throws INVALID_PARAMETER_VALUE. @example await client.logParam(runId, 'lr', 0.01); */
  async logParam(runId: string, key: string, value: unknown): Promise<void> {
    validateRunId(runId);
    validateKey('Param', key);
    const text = stringifyParam(key, value);
    await this.call('log the param', (s) => s.logBatch(runId, { params: { [key]: text } }));
  }

  /** @example await client.logParams(runId, { lr: 0.01, layers: [64, 32] }); */
  async logParams(runId: string, params: Readonly<Record<string, unknown>>): Promise<void> {
    validateRunId(runId);
    const values = validateParams(params);
    await this.call('log the params', (s) => s.logBatch(runId, { params: values }));
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
  async setTags(runId: string, tags: Readonly<Record<string, unknown>>): Promise<void> {
    validateRunId(runId);
    const values = validateTags(tags);
    await this.call('set the tags', (s) => s.logBatch(runId, { tags: values }));
  }

  /** @example await client.deleteTag(runId, 'note'); */
  async deleteTag(runId: string, key: string): Promise<void> {
    validateRunId(runId);
    validateKey('Tag', key);
    await this.call('delete the tag', (s) => s.logBatch(runId, { deleteTags: [key] }));
  }

  /**
   * Params, tags and metric points in one write. Metric steps default to 0, timestamps to now.
   * @example await client.logBatch(runId, { params: { lr: 0.1 }, metrics: [{ key: 'loss', value: 0.5, step: 1 }] });
   */
  async logBatch(runId: string, batch: BatchInput): Promise<void> {
    validateRunId(runId);
    const params = batch.params === undefined ? undefined : validateParams(batch.params);
    const tags = batch.tags === undefined ? undefined : validateTags(batch.tags);
    const now = Date.now();
    const metrics: MetricPoint[] | undefined = batch.metrics?.map((m) => {
      const point = { key: m.key, value: m.value, step: m.step ?? 0, timestamp: m.timestamp ?? now };
      validateMetric(point.key, point.value, point.step, point.timestamp);
      return point;
    });
    await this.call('log the batch', (s) => s.logBatch(runId, { params, tags, metrics }));
  }

  /**
   * Buffers one metric point; synchronous, written within about a second or on `flush()`.
   * Step defaults to 0 (MLflow's default), timestamp to now. NaN and ±Infinity are kept exactly.
   * @example client.logMetric(runId, 'loss', 0.25, 10);
   */
  logMetric(runId: string, key: string, value: number, step = 0, timestamp = Date.now()): void {
    validateRunId(runId);
    validateMetric(key, value, step, timestamp);
    this.buffer.append(runId, key, value, step, timestamp);
  }

  /** @example client.logMetrics(runId, { loss: 0.25, acc: 0.9 }, 10); */
  logMetrics(runId: string, metrics: Readonly<Record<string, number>>, step = 0, timestamp = Date.now()): void {
    validateRunId(runId);
    if (metrics === null || typeof metrics !== 'object') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricsNotObject(metrics));
    const keys = Object.keys(metrics);
    for (const key of keys) validateMetric(key, metrics[key], step, timestamp);
    const buffer = this.buffer;
    for (const key of keys) buffer.append(runId, key, metrics[key], step, timestamp);
  }

  /**
   * Writes every buffered metric point and waits for pending writes. Rethrows a write failure once.
   * @example client.logMetric(runId, 'loss', 0.1); await client.flush();
   */
  async flush(): Promise<void> {
    this.metricBuffer?.flush();
    await Promise.all([...this.inflight]);
    const first = this.writeErrors.values().next();
    this.writeErrors.clear();
    if (!first.done) throw first.value;
  }

  /** @internal Flushes one run's points and rethrows its write failure once. */
  async flushRun(runId: string): Promise<void> {
    this.metricBuffer?.flush(runId);
    await Promise.all([...this.inflight]);
    const error = this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    if (error) throw error;
  }

  /**
   * Ends a run: flushes its metrics, then records status and end time.
   * @example await client.setTerminated(runId, 'FAILED', 'diverged at step 300');
   */
  async setTerminated(runId: string, status: RunStatus = 'FINISHED', message?: string): Promise<RunInfo> {
    validateRunId(runId);
    validateEndStatus(status);
    this.owned.delete(runId);
    this.leaveIfIdle();
    return this.completeRun(runId, status, message ?? null);
  }

  /**
   * @internal Ends a run in one store write: earlier writes land first, then
   * the points still buffered go in with the status change.
   */
  async completeRun(runId: string, status: RunStatus, message: string | null): Promise<RunInfo> {
    if (this.inflight.size > 0) await Promise.all([...this.inflight]);
    const flushError = this.writeErrors.get(runId);
    this.writeErrors.delete(runId);
    const pending = this.takeBuffered(runId);
    const info = await this.call('end the run', (s) => s.updateRun(runId, { status, statusMessage: message, endTime: Date.now(), metrics: pending }));
    if (flushError !== undefined) throw flushError;
    return info;
  }

  /** Moves a run to the deleted stage (kept until `gc`). @example await client.deleteRun(runId); */
  async deleteRun(runId: string): Promise<void> {
    validateRunId(runId);
    await this.call('delete the run', (s) => s.setRunLifecycle(runId, 'deleted'));
  }

  /** @example await client.restoreRun(runId); */
  async restoreRun(runId: string): Promise<void> {
    validateRunId(runId);
    await this.call('restore the run', (s) => s.setRunLifecycle(runId, 'active'));
  }

  /**
   * Runs matching an MLflow filter (plus OR and parentheses), newest first unless `orderBy` says otherwise.
   * @example const { runs } = await client.searchRuns({ experiments: ['mnist'], filter: 'metrics.acc > 0.9', orderBy: ['metrics.acc DESC'] });
   */
  async searchRuns(options: SearchRunsOptions = {}): Promise<{ runs: readonly Run[]; nextPageToken?: string }> {
    return runSearch(this, options);
  }

  /**
   * Full metric history as an Arrow table (run_id, key, step, timestamp, value). Buffered points are flushed first.
   * @example const table = await client.metricHistory(runId, ['loss']);
   */
  async metricHistory(runIds: string | readonly string[], keys?: readonly string[]): Promise<Table> {
    const ids = typeof runIds === 'string' ? [runIds] : runIds;
    ids.forEach((id) => validateRunId(id));
    keys?.forEach((k) => validateKey('Metric', k));
    await this.flush();
    const blocks = await this.call('read metric history', (s) => s.readMetrics(ids, keys));
    return (require('../metrics/arrow-history') as typeof import('../metrics/arrow-history')).historyTable(blocks);
  }

  /**
   * Search results as an Arrow table: one row per run, one column per param and metric.
   * @example const table = await client.searchRunsArrow({ experiments: ['mnist'] });
   */
  async searchRunsArrow(options: SearchRunsOptions = {}): Promise<Table> {
    const { runs } = await this.searchRuns(options);
    return (require('../metrics/arrow-runs') as typeof import('../metrics/arrow-runs')).runsTable(runs);
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
  async logInput(runId: string, dataset: DatasetSource, options: LogInputOptions = {}): Promise<DatasetInput> {
    validateRunId(runId);
    return (require('../datasets/log-input') as typeof import('../datasets/log-input')).logInputTo(this, runId, dataset, options);
  }

  /** The dataset inputs of a run (or runs, in the order given). @example const [input] = await client.listInputs(runId); */
  async listInputs(runIds: string | readonly string[]): Promise<readonly RunInput[]> {
    const ids = typeof runIds === 'string' ? [runIds] : runIds;
    ids.forEach((id) => validateRunId(id));
    return (require('../datasets/log-input') as typeof import('../datasets/log-input')).listInputsOf(this, ids);
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
  async logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    validateRunId(runId);
    return this.artifacts.logArtifact(runId, source, artifactPath);
  }

  /** Logs every file under a folder (MLflow's log_artifacts). @example await client.logArtifacts(runId, './outputs', 'outputs'); */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<ArtifactEntry[]> {
    validateRunId(runId);
    return this.artifacts.logArtifacts(runId, localDir, artifactPath);
  }

  /**
   * @internal Records blobs already in the content store on a run (used for provenance diffs shared by many runs).
   * False when a blob is gone (a gc removed it): the caller logs the content again, which rewrites the same manifest row.
   */
  async linkArtifacts(runId: string, entries: readonly ArtifactEntry[]): Promise<boolean> {
    await this.store.putArtifacts(runId, entries);
    for (const entry of entries) if (!(await this.artifacts.content.has(entry.sha256))) return false;
    return true;
  }

  /** @example const entries = await client.listArtifacts(runId, 'plots'); */
  async listArtifacts(runId: string, prefix?: string): Promise<ArtifactEntry[]> {
    validateRunId(runId);
    return this.artifacts.listArtifacts(runId, prefix);
  }

  /** Copies a run's artifacts (`runs:/<id>/<path>`) to `dest` (default: a temp folder) and returns the local path. @example const dir = await client.downloadArtifacts(`runs:/${runId}/plots`, './out'); */
  async downloadArtifacts(location: ArtifactLocation, dest?: string): Promise<string> {
    return this.artifacts.downloadArtifacts(location, dest);
  }

  /** Purges deleted runs and removes content no run references. @example const { freedBytes } = await client.gc(); */
  async gc(options?: GcOptions): Promise<GcResult> {
    return this.artifacts.gc(options);
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
  async resolveExperimentId(ref: string): Promise<string> {
    let exp: Experiment;
    try {
      exp = await this.call('read the experiment', (s) => s.getExperiment(ref));
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      validateExperimentName(ref);
      exp = await this.call('create the experiment', (s) => s.ensureExperiment(ref));
    }
    if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
    this.experimentIds.set(ref, exp.experimentId);
    return exp.experimentId;
  }

  /** @internal The experiment id when the store can resolve it synchronously (see TrackingStore.resolveExperimentSync). */
  resolveExperimentIdSync(ref: string): string | undefined {
    const store = this.store;
    if (store.resolveExperimentSync === undefined) return undefined;
    let exp: Experiment;
    try {
      exp = store.resolveExperimentSync(ref);
    } catch (err) {
      throw asTracklabError(err, 'resolve the experiment');
    }
    if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
    this.experimentIds.set(ref, exp.experimentId);
    return exp.experimentId;
  }

  /** @internal Registers a running run for heartbeats and the exit handler. */
  adopt(run: OwnedRun): void {
    this.owned.set(run.runId, run);
    lifecycle.participate(this);
  }

  /** @internal */
  release(runId: string): void {
    this.owned.delete(runId);
    this.leaveIfIdle();
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
    if (this.owned.size === 0 || this.opened === undefined) return;
    this.opened.heartbeat([...this.owned.keys()], now).catch(() => undefined);
  }

  async endAll(status: lifecycle.EndStatus, message: string | null): Promise<void> {
    await Promise.allSettled([...this.owned.values()].map((r) => r.end(status, message ?? undefined)));
  }

  endAllSync(status: lifecycle.EndStatus, message: string | null): void {
    if (this.opened === undefined || !this.opened.capabilities.synchronousWrites) return;
    for (const run of [...this.owned.values()]) run.endSync(status, message);
    this.metricBuffer?.flush();
  }

  /** @internal How a run not written yet ends: its outcome, with its buffered points taken out of the buffer. */
  takeEnd(runId: string, status: Exclude<RunStatus, 'RUNNING'>, message: string | null): RunEnd {
    return { status, statusMessage: message, endTime: Date.now(), metrics: this.takeBuffered(runId) };
  }

  /** A run's buffered points, for its final write; the run's series are forgotten. */
  private takeBuffered(runId: string): readonly MetricColumns[] {
    let pending: readonly MetricColumns[] = [];
    this.metricBuffer?.flush(runId, (blocks) => { pending = blocks; });
    this.metricBuffer?.discard(runId);
    return pending;
  }

  /** @internal Exit path: with synchronous stores the writes finish inside these calls. */
  endSync(runId: string, status: lifecycle.EndStatus, message: string | null): void {
    const store = this.opened;
    if (store === undefined || !store.capabilities.synchronousWrites) return;
    this.owned.delete(runId);
    this.metricBuffer?.flush(runId);
    store.updateRun(runId, { status, statusMessage: message, endTime: Date.now() }).catch(() => undefined);
  }

  private leaveIfIdle(): void {
    if (this.owned.size === 0) lifecycle.leave(this);
  }

  private reap(store: TrackingStore): void {
    this.reaped = store.reapCrashedRuns(lifecycle.isOwnerAlive, lifecycle.STALE_AFTER_MS).catch(() => undefined);
  }
}
