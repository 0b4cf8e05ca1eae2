/**
 * The logging hot path. `push()` writes one point into per-(run, key) column
 * buffers (growable Float64Arrays): O(1) and no allocation per point once a
 * series has reached its working capacity. Blocks go to a sink on size, on a
 * timer, and whenever the owner asks (run end, process exit).
 *
 * Memory stays bounded: a series never grows past `maxPointsPerKey` (it is
 * flushed instead) and all series together flush at `maxTotalPoints`. The one
 * exception is a *held* run, whose points cannot be written yet because the
 * run is still being created; it keeps growing until `release()`, unless it
 * was held with a `whenFull` callback that can make it writable at once.
 */
import type { MetricColumns } from '../entities';

/** One (run, key) column buffer plus the latest point, for live views. */
export interface MetricSeries {
  readonly runId: string;
  readonly key: string;
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
  /** Points buffered and not yet flushed. */
  length: number;
  /** Points pushed over the series' life; 0 means the `last*` fields are unset. */
  count: number;
  lastValue: number;
  lastStep: number;
  lastTimestamp: number;
}

/**
 * Receives flushed blocks. It must not throw (report failures itself). When
 * `reuseArrays` is set the sink consumes the arrays before returning and the
 * buffer overwrites them afterwards; otherwise it gets its own copies.
 */
export type MetricSink = (blocks: readonly MetricColumns[]) => void;

/**
 * V8 keeps typed arrays of up to 64 bytes on its own heap, where making one
 * costs about as much as a plain object; a larger one, or a view of a small
 * one (`subarray`, `.buffer`), takes a separate allocation that costs ten
 * times more. Blocks this small are copied instead of viewed.
 */
const ON_HEAP_DOUBLES = 8;

export interface MetricBufferOptions {
  /** Points per series before it flushes. Default 65,536. */
  readonly maxPointsPerKey?: number;
  /** Points across every series before all flush. Default 1,048,576. */
  readonly maxTotalPoints?: number;
  /** Buffered points are flushed at most this long after they arrive. Default 1,000 ms; 0 disables the timer. */
  readonly flushIntervalMs?: number;
  /**
   * Starting capacity of a series; it doubles as needed. Default 1: the
   * series of a short run often holds one point, and a full series goes to a
   * reusing sink without a copy.
   */
  readonly initialCapacity?: number;
  /** The sink is done with a block's arrays when it returns (synchronous stores). */
  readonly reuseArrays?: boolean;
}

export class MetricBuffer {
  private readonly runs = new Map<string, Map<string, MetricSeries>>();
  private readonly all: MetricSeries[] = [];
  private readonly held = new Map<string, (() => void) | undefined>();
  private readonly maxPerKey: number;
  private readonly maxTotal: number;
  private readonly interval: number;
  private readonly initialCapacity: number;
  private readonly reuse: boolean;
  private total = 0;
  private flushAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: MetricSink, options: MetricBufferOptions = {}) {
    this.maxPerKey = Math.max(1, options.maxPointsPerKey ?? 65536);
    this.maxTotal = Math.max(1, options.maxTotalPoints ?? 1 << 20);
    this.interval = options.flushIntervalMs ?? 1000;
    this.initialCapacity = Math.max(1, Math.min(options.initialCapacity ?? 1, this.maxPerKey));
    this.reuse = options.reuseArrays ?? false;
    this.flushAt = this.maxTotal;
  }

  /** Points buffered and not yet flushed, over every series. */
  get pendingPoints(): number {
    return this.total;
  }

  /** The series of (run, key), created on first use. Callers on the hot path keep it. */
  series(runId: string, key: string): MetricSeries {
    let byKey = this.runs.get(runId);
    if (byKey === undefined) {
      byKey = new Map();
      this.runs.set(runId, byKey);
    }
    let s = byKey.get(key);
    if (s === undefined) {
      const cap = this.initialCapacity;
      s = {
        runId, key, length: 0, count: 0, lastValue: NaN, lastStep: 0, lastTimestamp: 0,
        steps: new Float64Array(cap), timestamps: new Float64Array(cap), values: new Float64Array(cap),
      };
      byKey.set(key, s);
      this.all.push(s);
    }
    return s;
  }

  /** Appends one point. Arguments are trusted: validate before calling. */
  push(s: MetricSeries, value: number, step: number, timestamp: number): void {
    if (s.length === s.values.length) this.makeRoom(s);
    const i = s.length;
    s.steps[i] = step;
    s.timestamps[i] = timestamp;
    s.values[i] = value;
    s.length = i + 1;
    s.count++;
    s.lastValue = value;
    s.lastStep = step;
    s.lastTimestamp = timestamp;
    if (++this.total >= this.flushAt) this.flushUnderPressure();
    else if (this.timer === undefined && this.interval > 0) this.arm();
  }

  append(runId: string, key: string, value: number, step: number, timestamp: number): void {
    this.push(this.series(runId, key), value, step, timestamp);
  }

  /**
   * Keeps a run's points in memory (not flushed) until `release()`. Where the
   * run would otherwise have to outgrow the limits, `whenFull` is called
   * first: it should make the run writable and release it.
   */
  hold(runId: string, whenFull?: () => void): void {
    this.held.set(runId, whenFull);
  }

  release(runId: string): void {
    if (this.held.delete(runId) && this.total >= this.maxTotal) this.flush();
  }

  /** The series of a run, for snapshots. */
  seriesOf(runId: string): readonly MetricSeries[] {
    const byKey = this.runs.get(runId);
    return byKey === undefined ? [] : [...byKey.values()];
  }

  /**
   * Sends buffered points to the sink: of one run, or of every run that is not
   * held. Returns the number of points flushed.
   */
  flush(runId?: string, sink: MetricSink = this.sink): number {
    const blocks: MetricColumns[] = [];
    const done: MetricSeries[] = [];
    let flushed = 0;
    if (runId === undefined) {
      for (const s of this.all) if (s.length > 0 && !this.held.has(s.runId)) flushed += this.take(s, blocks, done);
    } else {
      const byKey = this.runs.get(runId);
      if (byKey !== undefined) for (const s of byKey.values()) if (s.length > 0) flushed += this.take(s, blocks, done);
    }
    if (blocks.length > 0) sink(blocks);
    // Reset after the sink ran: with reuseArrays the blocks may be these arrays or views into them.
    for (const s of done) s.length = 0;
    this.total -= flushed;
    this.flushAt = this.total + this.maxTotal;
    if (this.timer !== undefined && this.total === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return flushed;
  }

  /** Forgets a run's series (after its final flush). Buffered points of it are dropped. */
  discard(runId: string): void {
    const byKey = this.runs.get(runId);
    if (byKey === undefined) return;
    for (const s of byKey.values()) this.total -= s.length;
    const all = this.all;
    let kept = 0;
    for (const s of all) if (s.runId !== runId) all[kept++] = s;
    all.length = kept;
    this.runs.delete(runId);
    this.held.delete(runId);
    this.flushAt = this.total + this.maxTotal;
  }

  /** Stops the timer; buffered points stay until the next flush. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Adds the block of a series with buffered points; returns its point count. */
  private take(s: MetricSeries, blocks: MetricColumns[], done: MetricSeries[]): number {
    const n = s.length;
    blocks.push({
      runId: s.runId,
      key: s.key,
      steps: this.column(s.steps, n),
      timestamps: this.column(s.timestamps, n),
      values: this.column(s.values, n),
    });
    done.push(s);
    return n;
  }

  /** The first `n` numbers of a series column, for the sink. */
  private column(xs: Float64Array, n: number): Float64Array {
    if (!this.reuse) return xs.slice(0, n);
    if (n === xs.length) return xs;
    return n <= ON_HEAP_DOUBLES ? xs.slice(0, n) : xs.subarray(0, n);
  }

  private flushUnderPressure(): void {
    for (const whenFull of [...this.held.values()]) whenFull?.();
    this.flush();
  }

  private makeRoom(s: MetricSeries): void {
    const cap = s.values.length;
    if (cap >= this.maxPerKey) this.held.get(s.runId)?.();
    if (cap < this.maxPerKey || this.held.has(s.runId)) {
      const next = this.held.has(s.runId) ? cap * 2 : Math.min(cap * 2, this.maxPerKey);
      s.steps = grow(s.steps, next, s.length);
      s.timestamps = grow(s.timestamps, next, s.length);
      s.values = grow(s.values, next, s.length);
      return;
    }
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
      if (this.total > 0) this.arm();
    }, this.interval);
    this.timer.unref();
  }
}

function grow(a: Float64Array, capacity: number, length: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a.subarray(0, length));
  return b;
}
