/**
 * ActiveRun: a run being logged to from this process. Everything the user
 * calls is synchronous except `end`, `flush` and `logArtifact`: ids and the
 * name are made locally, validation throws in the caller's cell, and the
 * in-memory state (params, tags, latest points) feeds live views. Store
 * writes belong to the client core: metrics go to its hot-path buffer, the
 * rest to the run's writer (run-writer.ts), so any backend fits behind the
 * same API.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactSink, LoggedFigure, LoggedImage, LoggedTable } from '../media/log-media';
import type { TableSource } from '../media/arrow-table';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, DatasetInput, MetricPoint, RunStatus } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import type { MetricBuffer, MetricSeries } from '../metrics/metric-buffer';
import { emptyRecord, mergeRecords } from '../records';
import { validateEndStatus, validateKey, validateParams, validateStep, validateTags } from '../validation';
import type { TrackingClient } from './client';
import { logInput } from './client-artifacts';
import type { EndStatus } from './lifecycle';
import { prepareRun, type CreateRunOptions } from './run-input';
import type { OwnedRun } from './run-state';
import { RunWriter } from './run-writer';

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
  /** The end time stored for the run, from the moment end() is called; null while it runs. */
  readonly endTime: number | null;
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
  private status: RunStatus = 'RUNNING';
  private ending: Promise<void> | undefined;
  private endTime: number | null = null;
  private nextStep = 0;
  private listenerWarned = false;
  /** Replaced on change, never changed in place. Prototype-free (see records.ts). */
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
  private readonly writer: RunWriter;

  /** Prefer `tracklab.startRun()`; this constructor is what it calls. */
  constructor(readonly client: TrackingClient, options: CreateRunOptions = {}, private readonly hooks: ActiveRunHooks = {}) {
    const prepared = prepareRun(options);
    this.id = this.runId = prepared.run.runId;
    this.name = prepared.run.runName;
    this.startTime = prepared.run.startTime;
    this.parentRunId = prepared.run.parentRunId ?? null;
    this.params = prepared.run.params ?? emptyRecord();
    this.tags = prepared.run.tags ?? emptyRecord();
    const core = client.core;
    this.buffer = core.runs.buffer;
    this.writer = new RunWriter(core, prepared);
    core.runs.adopt(this);
  }

  /** The experiment id, once resolved (immediately when this client has seen the experiment before). */
  get experimentId(): string | undefined {
    return this.writer.experiment;
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
    const s = this.stepFor(step, metrics);
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
    const s = this.stepFor(step, key);
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
    this.writer.record(fresh, undefined);
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
    this.writer.record(undefined, values);
    this.emit({ type: 'tags', values });
  }

  /**
   * Logs a file, folder, bytes, `{ text }` or `{ json }` as an artifact of this run.
   * @example await run.logArtifact({ json: config }, 'config.json');
   */
  async logArtifact(source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    if (this.status !== 'RUNNING') throw new TracklabError('INVALID_STATE', msg.runEnded(this.name));
    return this.writer.logArtifact(source, artifactPath);
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
  async logInput(dataset: DatasetSource, options: LogInputOptions = {}): Promise<DatasetInput> {
    return this.writer.after(() => logInput(this.client.core, this.id, dataset, options));
  }

  /**
   * Writes buffered points and waits for queued writes; rethrows a write failure once. With a tracking server that
   * does not answer, waits only until the points are in the local outbox. @example await run.flush();
   */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Ends the run: flushes, then records status and end time. Calling it again returns the first call's Promise.
   * @example await run.end(); await run.end('FAILED', 'diverged');
   */
  end(status: EndStatus = 'FINISHED', message?: string): Promise<void> {
    validateEndStatus(status);
    if (this.ending !== undefined) return this.ending;
    this.status = status;
    // Decided once, so views of this process show the duration the store keeps.
    this.endTime = Date.now();
    this.hooks.onEnd?.(this);
    this.emit({ type: 'status', status });
    this.ending = this.writer.end(status, message ?? null, this.endTime);
    return this.ending;
  }

  /** @internal Exit path (see OwnedRun): ends the run with its last points, without waiting. */
  endAtExit(status: EndStatus, message: string | null): void {
    if (this.ending === undefined) {
      this.status = status;
      this.hooks.onEnd?.(this);
    }
    this.writer.endAtExit(status, message);
  }

  /** @internal Resolves once the writes queued so far are done, without consuming a write error: `end()` and `flush()` still rethrow it. */
  settled(): Promise<void> {
    return this.writer.settled();
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
      endTime: this.endTime,
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

  /** The step of a log call; a bad one is refused naming the call's metric keys (`metrics`, or one key). */
  private stepFor(step: number | undefined, metrics: string | Readonly<Record<string, unknown>>): number {
    if (step === undefined) return this.nextStep++;
    if (!Number.isSafeInteger(step)) validateStep(typeof metrics === 'string' ? metrics : Object.keys(metrics), step);
    if (step >= this.nextStep) this.nextStep = step + 1;
    return step;
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
