/**
 * ActiveRun: a run being logged to from this process. Everything the user
 * calls is synchronous except `end`, `flush` and `logArtifact`: ids and the
 * name are made locally, validation throws in the caller's cell, and store
 * writes go through an ordered per-run Promise chain (creation first), so an
 * asynchronous store fits behind the same API. Metrics go to the client's
 * hot-path buffer.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactSink, LoggedFigure, LoggedImage, LoggedTable } from '../media/log-media';
import type { TableSource } from '../media/arrow-table';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, DatasetInput, MetricPoint, RunStatus } from '../entities';
import { recordProvenance } from '../provenance/provenance';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import type { MetricBuffer, MetricSeries } from '../metrics/metric-buffer';
import { emptyRecord, mergeRecords } from '../records';
import { validateEndStatus, validateKey, validateParams, validateStep, validateTags } from '../validation';
import { asTracklabError, type OwnedRun, type TrackingClient } from './client';
import { splitBatch } from './log-batches';
import type { CreateRunOptions, PreparedRun } from './run-input';
import type { EndStatus } from './lifecycle';

export type RunEvent =
  | { readonly type: 'metrics'; readonly points: readonly MetricPoint[] }
  | { readonly type: 'params' | 'tags'; readonly values: Readonly<Record<string, string>> }
  | { readonly type: 'status'; readonly status: RunStatus }
  | { readonly type: 'image'; readonly image: LoggedImage };

export type RunListener = (event: RunEvent) => void;

// Loaded on first use: most runs log no media, and pngjs/yaml stay out of a cold start.
function media(): typeof import('../media/log-media') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../media/log-media') as typeof import('../media/log-media');
}

export interface LatestMetric {
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

/** In-memory state of an active run, for live views. */
export interface RunSnapshot {
  readonly runId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly latest: Readonly<Record<string, LatestMetric>>;
  readonly startTime: number;
}

export interface ActiveRunHooks {
  /** Called synchronously when `end()` starts (the fluent stack forgets the run). */
  readonly onEnd?: (run: ActiveRun) => void;
}

export class ActiveRun implements OwnedRun {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly startTime: number;
  readonly parentRunId: string | null;
  private experiment: string | undefined;
  private status: RunStatus = 'RUNNING';
  private endMessage: string | null = null;
  private created = false;
  /** A run row this process has not written yet (synchronous stores; see the constructor). */
  private unwritten: PreparedRun['run'] | undefined;
  private rowWrite: Promise<void> = Promise.resolve();
  /** The run row was written already ended, so end() has nothing left to write. */
  private endWritten = false;
  private ending: Promise<void> | undefined;
  private chain: Promise<void>;
  private error: TracklabError | undefined;
  private nextStep = 0;
  private listenerWarned = false;
  private writeWarned = false;
  /** Replaced on change, never changed in place: they start as the records the store creates the run from. Prototype-free (see records.ts). */
  private params: Readonly<Record<string, string>>;
  private tags: Readonly<Record<string, string>>;
  private readonly series = new Map<string, MetricSeries>();
  private shapeKeys: string[] = [];
  private shapeSeries: MetricSeries[] = [];
  // A plain array: a Float64Array of 16 would be an allocation outside the V8 heap
  // per run (see ON_HEAP_DOUBLES in metric-buffer.ts).
  private shapeValues: number[] = new Array<number>(16).fill(0);
  private readonly listeners = new Set<RunListener>();
  private readonly buffer: MetricBuffer;

  /** Prefer `tracklab.startRun()`; this constructor is what it calls. */
  constructor(readonly client: TrackingClient, options: CreateRunOptions = {}, private readonly hooks: ActiveRunHooks = {}) {
    const prepared = client.prepareRun(options);
    this.id = this.runId = prepared.run.runId;
    this.name = prepared.run.runName;
    this.startTime = prepared.run.startTime;
    this.parentRunId = prepared.run.parentRunId ?? null;
    this.params = prepared.run.params ?? emptyRecord();
    this.tags = prepared.run.tags ?? emptyRecord();
    this.buffer = client.buffer;
    this.experiment = client.cachedExperimentId(prepared.experiment) ?? client.resolveExperimentIdSync(prepared.experiment);
    // With a synchronous store and a known experiment, the run row waits for the end of the code running now
    // (one microtask): a run that ends within it, as in a loop of short runs, is written once, already ended.
    // Memory pressure (a long loop that never yields) or process exit writes it at once.
    // A run with more params or tags than one write takes is written at once, the rest right after it.
    const deferred = this.experiment !== undefined && client.store.capabilities.synchronousWrites && prepared.more.length === 0;
    if (deferred) this.unwritten = prepared.run;
    // Points logged before the run row exists wait in memory instead of failing to flush.
    this.buffer.hold(this.id, deferred ? () => { void this.writeRow(); } : undefined);
    client.adopt(this);
    const creating = deferred
      ? Promise.resolve().then(() => this.createDeferred(prepared.sourceDir))
      : this.create(prepared.experiment, prepared.run, prepared.more, prepared.sourceDir);
    this.chain = creating.catch((err: unknown) => {
      this.buffer.release(this.id);
      this.fail(err);
    });
  }

  /** The experiment id, once resolved (immediately when this client has seen the experiment before). */
  get experimentId(): string | undefined {
    return this.experiment;
  }

  /**
   * Logs metric values at one step; synchronous, buffered. Without `step` the
   * run's own counter is used: 0, 1, 2, … per `log()` call (an explicit step
   * moves the counter past it).
   * @example run.log({ loss: 0.31, acc: 0.88 }, epoch);
   */
  log(metrics: Readonly<Record<string, number>>, step?: number): void {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    if (metrics === null || typeof metrics !== 'object') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricsNotObject(metrics));
    // Training loops log the same keys in the same order every call: compare
    // against the previous call's keys (string identity) instead of looking
    // each key up, and check every value before pushing any.
    let keys = this.shapeKeys;
    let values = this.shapeValues;
    let n = 0;
    let same = true;
    for (const key in metrics) {
      const value = metrics[key];
      if (typeof value !== 'number') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricValue(key, value));
      if (n === values.length) { same = false; break; }
      if (same && keys[n] !== key) same = false;
      values[n++] = value;
    }
    if (!same || n !== keys.length) {
      n = this.reshape(metrics);
      keys = this.shapeKeys;
      values = this.shapeValues;
    }
    const s = this.stepFor(step);
    const timestamp = Date.now();
    const buffer = this.buffer;
    const series = this.shapeSeries;
    for (let i = 0; i < n; i++) buffer.push(series[i], values[i], s, timestamp);
    if (this.listeners.size > 0) {
      const points: MetricPoint[] = [];
      for (let i = 0; i < n; i++) points.push({ key: keys[i], value: values[i], step: s, timestamp });
      this.emit({ type: 'metrics', points });
    }
  }

  /** Rebuilds the cached key order for `log()`, validating new keys. Returns the key count. */
  private reshape(metrics: Readonly<Record<string, number>>): number {
    const keys: string[] = [];
    for (const key in metrics) {
      // log() stops checking values when they outgrow shapeValues: check them all here, before anything is kept.
      if (typeof metrics[key] !== 'number') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricValue(key, metrics[key]));
      if (!this.series.has(key)) validateKey('Metric', key);
      keys.push(key);
    }
    if (keys.length > this.shapeValues.length) this.shapeValues = new Array<number>(keys.length * 2).fill(0);
    keys.forEach((key, i) => { this.shapeValues[i] = metrics[key]; });
    this.shapeKeys = keys;
    this.shapeSeries = keys.map((key) => this.seriesFor(key));
    return keys.length;
  }

  private seriesFor(key: string): MetricSeries {
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.buffer.series(this.id, key);
      this.series.set(key, series);
    }
    return series;
  }

  /** @example run.logMetric('loss', 0.31, 10); */
  logMetric(key: string, value: number, step?: number): void {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    const known = this.series.get(key);
    if (known === undefined) validateKey('Metric', key);
    if (typeof value !== 'number') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricValue(key, value));
    const s = this.stepFor(step);
    const timestamp = Date.now();
    this.buffer.push(known ?? this.seriesFor(key), value, s, timestamp);
    if (this.listeners.size > 0) this.emit({ type: 'metrics', points: [{ key, value, step: s, timestamp }] });
  }

  /** @example run.logParam('lr', 0.01); */
  logParam(key: string, value: unknown): void {
    this.logParams({ [key]: value });
  }

  /**
   * Params are write-once: the same value again is a no-op; a different value
   * throws INVALID_PARAMETER_VALUE right here, naming both values.
   * @example run.logParams({ lr: 0.01, optimizer: 'adam' });
   */
  logParams(params: Readonly<Record<string, unknown>>): void {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    const values = validateParams(params);
    const fresh = emptyRecord<string>();
    let any = false;
    for (const key of Object.keys(values)) {
      const old = this.params[key];
      if (old === undefined) {
        fresh[key] = values[key];
        any = true;
      } else if (old !== values[key]) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', msg.paramChanged(key, old, values[key], this.name));
      }
    }
    if (!any) return;
    this.params = mergeRecords(this.params, fresh);
    this.enqueue(() => this.client.writeBatches(this.id, splitBatch({ params: fresh }), 'log params'));
    this.emit({ type: 'params', values: fresh });
  }

  /** @example run.setTag('note', 'wider layers'); */
  setTag(key: string, value: string): void {
    this.setTags({ [key]: value });
  }

  /** See TrackingClient.setNote. @example run.setNote('wider layers, same data'); */
  setNote(text: string): void {
    this.setTag('tracklab.note', text);
  }

  /** @example run.setTags({ stage: 'tuning' }); */
  setTags(tags: Readonly<Record<string, unknown>>): void {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    const values = validateTags(tags);
    this.tags = mergeRecords(this.tags, values);
    this.enqueue(() => this.client.writeBatches(this.id, splitBatch({ tags: values }), 'set tags'));
    this.emit({ type: 'tags', values });
  }

  /**
   * Logs a file, folder, bytes, `{ text }` or `{ json }` as an artifact of this run.
   * @example await run.logArtifact({ json: config }, 'config.json');
   */
  async logArtifact(source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    let entries: ArtifactEntry[] = [];
    const op = this.chain.then(async () => { entries = await this.client.logArtifact(this.id, source, artifactPath); });
    // Artifact errors go to this caller, not to the run's write chain.
    this.chain = op.catch(() => undefined);
    await op;
    return entries;
  }

  /**
   * Logs an image at a step of `key` (PNG/JPEG bytes kept as they are; pixels and tfjs tensors stored as PNG). See TrackingClient.logImage.
   * @example await run.logImage({ data: pixels, shape: [28, 28] }, 'samples', { step: epoch });
   */
  async logImage(image: unknown, key: string, options: { step?: number } = {}): Promise<LoggedImage> {
    const logged = await media().logImageTo(this.sink(), image, key, options);
    this.emit({ type: 'image', image: logged });
    return logged;
  }

  /** Logs a table as an Arrow artifact; see TrackingClient.logTable. @example await run.logTable(rows, 'predictions'); */
  logTable(data: TableSource, name: string): Promise<LoggedTable> {
    return media().logTableTo(this.sink(), data, name);
  }

  /** Logs a Vega-Lite v5 spec and its SVG; see TrackingClient.logFigure. @example await run.logFigure(spec, 'class-balance'); */
  logFigure(spec: unknown, name: string): Promise<LoggedFigure> {
    return media().logFigureTo(this.sink(), spec, name);
  }

  /** MLflow's log_text. @example await run.logText(report, 'report.md'); */
  logText(text: string, artifactFile: string): Promise<string> {
    return media().logTextTo(this.sink(), text, artifactFile);
  }

  /** MLflow's log_dict (YAML for .yaml/.yml, else JSON). @example await run.logDict(config, 'config.yaml'); */
  logDict(dict: unknown, artifactFile: string): Promise<string> {
    return media().logDictTo(this.sink(), dict, artifactFile);
  }

  private sink(): ArtifactSink {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    return { logArtifact: (bytes, path) => this.logArtifact(bytes, path) };
  }

  /** Records a dataset this run used; see TrackingClient.logInput. @example await run.logInput(rows, { context: 'training' }); */
  async logInput(dataset: DatasetSource, options?: LogInputOptions): Promise<DatasetInput> {
    const op = this.chain.then(() => this.client.logInput(this.id, dataset, options));
    this.chain = op.then(() => undefined, () => undefined);
    return op;
  }

  /** Writes buffered points and waits for queued writes; rethrows a write failure once. @example await run.flush(); */
  async flush(): Promise<void> {
    this.enqueue(() => this.client.flushRun(this.id));
    await this.chain;
    this.rethrow();
  }

  /**
   * Ends the run: flushes, then records status and end time. Calling it again returns the first call's Promise.
   * @example await run.end(); await run.end('FAILED', 'diverged');
   */
  end(status: EndStatus = 'FINISHED', message?: string): Promise<void> {
    validateEndStatus(status);
    if (this.ending !== undefined) return this.ending;
    this.status = status;
    this.endMessage = message ?? null;
    this.hooks.onEnd?.(this);
    this.emit({ type: 'status', status });
    this.enqueue(() => (this.endWritten ? Promise.resolve() : this.client.completeRun(this.id, status, this.endMessage)));
    this.ending = this.chain.then(() => {
      this.buffer.discard(this.id);
      this.client.release(this.id);
      this.rethrow();
    });
    return this.ending;
  }

  /** @internal Exit path: ends the run before returning when the store writes synchronously. */
  endSync(status: EndStatus, message: string | null): void {
    if (this.unwritten !== undefined) {
      // The process is exiting in the same stretch of code that started the run: write it, ended.
      if (this.ending === undefined) {
        this.status = status;
        this.endMessage = message;
        this.hooks.onEnd?.(this);
      }
      void this.writeRow();
      return;
    }
    if (!this.created) return;
    if (this.ending === undefined) {
      this.status = status;
      this.endMessage = message;
      this.hooks.onEnd?.(this);
    }
    this.client.endSync(this.id, this.status as EndStatus, this.endMessage);
  }

  /** @internal Resolves once the writes queued so far are done, without consuming a write error: `end()` and `flush()` still rethrow it. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** True until the run ends (cheap: no snapshot is built). */
  get running(): boolean {
    return this.status === 'RUNNING';
  }

  /** Current in-memory state, for live views. */
  snapshot(): RunSnapshot {
    const latest = emptyRecord<LatestMetric>();
    for (const [key, s] of this.series) {
      if (s.count > 0) latest[key] = { value: s.lastValue, step: s.lastStep, timestamp: s.lastTimestamp };
    }
    return {
      runId: this.id, runName: this.name, status: this.status,
      params: mergeRecords(this.params), tags: mergeRecords(this.tags), latest, startTime: this.startTime,
    };
  }

  /**
   * Calls `listener` synchronously after every change (metrics, params, tags, status).
   * Returns the function that unsubscribes. Listener errors are swallowed with one warning.
   * @example const off = run.subscribe((e) => { if (e.type === 'metrics') redraw(e.points); });
   */
  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** `ActiveRun brave-otter-042 (id)` in logs and the REPL. */
  toString(): string {
    return `ActiveRun ${this.name} (${this.id})`;
  }

  private stepFor(step: number | undefined): number {
    if (step === undefined) return this.nextStep++;
    validateStep('step', step);
    if (step >= this.nextStep) this.nextStep = step + 1;
    return step;
  }

  private async create(experimentRef: string, run: PreparedRun['run'], more: PreparedRun['more'], sourceDir: string): Promise<void> {
    const client = this.client;
    const experimentId = this.experiment ?? await client.resolveExperimentId(experimentRef);
    this.experiment = experimentId;
    const store = client.store;
    const pending = store.createRun({ ...run, experimentId });
    // Synchronous stores wrote the row inside the call, so points may flush right away.
    if (store.capabilities.synchronousWrites) this.markCreated();
    try {
      await pending;
    } catch (err) {
      throw asTracklabError(err, `create run ${this.name}`);
    }
    this.markCreated();
    await client.writeBatches(this.id, more, `log to run ${this.name}`);
    await recordProvenance(client, this.id, sourceDir);
  }

  /** The constructor's deferred creation: the row (unless memory pressure wrote it already), then provenance. */
  private async createDeferred(sourceDir: string): Promise<void> {
    await this.writeRow();
    await recordProvenance(this.client, this.id, sourceDir);
  }

  /**
   * Writes the deferred run row (synchronous stores only), already ended with
   * its last points if end() came first. Later calls return the first write.
   */
  private writeRow(): Promise<void> {
    const run = this.unwritten;
    if (run === undefined) return this.rowWrite;
    this.unwritten = undefined;
    const end = this.status === 'RUNNING' ? undefined : this.client.takeEnd(this.id, this.status, this.endMessage);
    const pending = this.client.store.createRun({ ...run, experimentId: this.experiment as string, end });
    this.endWritten = end !== undefined;
    this.markCreated();
    this.rowWrite = pending.then(() => undefined, (err: unknown) => { throw asTracklabError(err, `create run ${this.name}`); });
    this.rowWrite.catch(() => undefined); // awaited by create(); this keeps an early failure from counting as unhandled
    return this.rowWrite;
  }

  private markCreated(): void {
    if (this.created) return;
    this.created = true;
    this.buffer.release(this.id);
  }

  private enqueue(op: () => Promise<unknown>): void {
    this.chain = this.chain.then(op).then(() => undefined, (err: unknown) => this.fail(err));
  }

  private fail(err: unknown): void {
    if (this.error !== undefined) return;
    this.error = asTracklabError(err, `write run ${this.name}`);
    if (this.writeWarned) return;
    this.writeWarned = true;
    console.warn(msg.writeFailed(this.name, String(this.error)));
  }

  private rethrow(): void {
    const error = this.error;
    if (error === undefined) return;
    this.error = undefined;
    throw error;
  }

  private emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        if (!this.listenerWarned) {
          this.listenerWarned = true;
          console.warn(msg.listenerFailed(err instanceof Error ? err.message : String(err)));
        }
      }
    }
  }
}
