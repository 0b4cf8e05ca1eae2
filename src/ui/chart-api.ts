/**
 * Chart specs for the browser, built by the same src/charts builders the
 * notebook uses, from server-side data: long histories are downsampled here
 * (min/max buckets keep the extremes), so a 1M-point metric sends about a
 * thousand points. The browser only draws.
 */
import { barByVersionSpec } from '../charts/bar-by-version';
import { lineChartSpec } from '../charts/line-chart';
import { parallelCoordinatesSpec, type RunPoint } from '../charts/parallel-coordinates';
import { scatterSpec } from '../charts/scatter';
import type { NamedSeries, VegaLiteSpec } from '../charts/series';
import type { Run } from '../entities';
import { TracklabError } from '../errors';
import type { RegistryClient } from '../registry/registry-client';
import { quoteFilterValue } from '../search';
import type { TrackingClient } from '../tracking/client';
import { bestIndices, inferMode } from '../views/run-metrics';
import { readChartState, type ChartState } from './chart-state';
import { readSeries, type SeriesColumns } from './metric-columns';

/**
 * Recent histories, keyed by run, key and point count: a slider move re-smooths without re-reading 1M points.
 * Entries are promises, so a chart request that arrives while its history is being read (see `warm`) waits for
 * that read instead of starting another.
 */
class HistoryCache {
  private readonly entries = new Map<string, Promise<SeriesColumns | undefined>>();
  constructor(private readonly capacity = 16) {}

  get(client: TrackingClient, run: Run, key: string): Promise<SeriesColumns | undefined> {
    const count = run.data.metrics[key]?.count;
    if (count === undefined) return Promise.resolve(undefined);
    const id = `${run.info.runId}\u0000${key}\u0000${count}\u0000${run.data.metrics[key].lastTimestamp}`;
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const read = readSeries(client, [run.info.runId], [key]).then(([series]) => series);
    read.catch(() => this.entries.delete(id));
    this.entries.set(id, read);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return read;
  }
}

/** Histories at least this long are read ahead when their run's page is sent (see ChartApi.warm). */
const WARM_MIN_POINTS = 50_000;
const WARM_MAX_KEYS = 8;

/**
 * The spec as the browser receives it: inline CSV data (compact in a
 * notebook) becomes rows of numbers, because Vega parses CSV with d3-dsv,
 * which compiles a row converter with `new Function`, and the page's CSP
 * allows no eval. The CSV holds only numbers (see series-data.ts).
 */
export function forBrowser(spec: unknown): unknown {
  if (Array.isArray(spec)) return spec.map(forBrowser);
  if (typeof spec !== 'object' || spec === null) return spec;
  const obj = spec as Record<string, unknown>;
  const format = obj.format as { type?: string } | undefined;
  if (typeof obj.values === 'string' && format?.type === 'csv') {
    const lines = obj.values.split('\n');
    const names = lines[0].split(',');
    const rows = lines.slice(1).filter((l) => l !== '').map((line) => {
      const cells = line.split(',');
      const row: Record<string, number | null> = {};
      names.forEach((n, i) => { row[n] = cells[i] === '' || cells[i] === undefined ? null : Number(cells[i]); });
      return row;
    });
    const { format: _dropped, ...rest } = obj;
    return { ...rest, values: rows };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = forBrowser(v);
  return out;
}

export class ChartApi {
  private readonly cache = new HistoryCache();

  constructor(private readonly client: TrackingClient, private readonly registry: RegistryClient | undefined) {}

  /**
   * Starts reading a run's long histories into the cache right after its page is sent, so the read overlaps
   * the browser loading Vega; the chart requests that follow find it done or under way.
   */
  warm(runId: string): void {
    setImmediate(() => {
      void (async () => {
        const run = await this.client.getRun(runId);
        const keys = Object.values(run.data.metrics).filter((m) => m.count >= WARM_MIN_POINTS).map((m) => m.key).sort().slice(0, WARM_MAX_KEYS);
        for (const key of keys) await this.cache.get(this.client, run, key);
      })().catch(() => undefined);
    });
  }

  /** One metric of one run: `?key=loss&x=step|time&smooth=0.6&log=1`. */
  async runChart(runId: string, query: URLSearchParams): Promise<VegaLiteSpec> {
    const key = required(query, 'key');
    const state = readChartState(query);
    const run = await this.client.getRun(runId);
    const series = await this.cache.get(this.client, run, key);
    if (!series) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Run ${runId} has no metric "${key}".`);
    const spec = lineChartSpec(key, [named(run, series, state)], {
      smoothing: state.smooth, logScale: state.log, x: state.x, width: 420, height: 220, note: undrawnNote(series.values, state.log),
    });
    return withoutLegend(spec);
  }

  /** Comparison charts of `?run=a&run=b...&metric=m`: `kind` is overlay, parallel or scatter. */
  async compareChart(query: URLSearchParams): Promise<VegaLiteSpec> {
    const runs = await this.runsOf(query);
    const metric = required(query, 'metric');
    const kind = query.get('kind') ?? 'overlay';
    if (kind === 'overlay') {
      const state = readChartState(query);
      const series: NamedSeries[] = [];
      for (const run of runs) {
        const s = await this.cache.get(this.client, run, metric);
        if (s) series.push(named(run, s, state));
      }
      return lineChartSpec(metric, series, { smoothing: state.smooth, logScale: state.log, x: state.x, title: `${metric} by ${state.x === 'time' ? 'wall time' : 'step'}` });
    }
    const points: RunPoint[] = runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName, params: r.data.params, value: r.data.metrics[metric]?.last ?? NaN }));
    const params = query.getAll('param');
    if (kind === 'parallel') return parallelCoordinatesSpec(metric, params.length ? params : differingParams(runs).slice(0, 8), points);
    if (kind === 'scatter') {
      const param = query.get('param') ?? differingParams(runs)[0];
      if (!param) throw new TracklabError('INVALID_PARAMETER_VALUE', 'These runs share every param value, so there is nothing to scatter against.');
      // Every run tied for best, by the direction the runs table uses.
      const bestRunIds = bestIndices(points.map((p) => p.value), inferMode(metric)).map((i) => points[i].runId);
      return scatterSpec(param, metric, points, { bestRunIds });
    }
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown comparison chart "${kind}": use overlay, parallel or scatter.`);
  }

  /** A metric of each version's source run: `/models/<name>` with `?metric=acc`. */
  async modelChart(name: string, query: URLSearchParams): Promise<VegaLiteSpec> {
    if (!this.registry) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', 'This server has no model registry.');
    const metric = required(query, 'metric');
    const versions = await modelVersions(this.registry, name);
    const points = await Promise.all(versions.map(async (v) => {
      const run = v.runId ? await this.client.getRun(v.runId).catch(() => undefined) : undefined;
      return { version: v.version, value: run?.data.metrics[metric]?.last ?? null, aliases: v.aliases };
    }));
    return barByVersionSpec(name, metric, points);
  }

  private async runsOf(query: URLSearchParams): Promise<Run[]> {
    const ids = runIdsOf(query);
    if (ids.length === 0) throw new TracklabError('INVALID_PARAMETER_VALUE', 'Choose runs to compare: ?run=<id>&run=<id>.');
    return Promise.all(ids.map((id) => this.client.getRun(id)));
  }
}

/** `?run=a&run=b` or `?runs=a,b`, deduplicated, at most 50. */
export function runIdsOf(query: URLSearchParams): string[] {
  const ids = [...query.getAll('run'), ...query.getAll('runs').flatMap((s) => s.split(','))].map((s) => s.trim()).filter(Boolean);
  return [...new Set(ids)].slice(0, 50);
}

export async function modelVersions(registry: RegistryClient, name: string) {
  const all = [];
  let pageToken: string | undefined;
  do {
    const page = await registry.searchModelVersions({ filter: `name = ${quoteFilterValue(name)}`, maxResults: 1000, pageToken, orderBy: ['version_number DESC'] });
    all.push(...page.modelVersions);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && all.length < 10_000);
  return all;
}

/** Params whose values differ between the runs (the ones worth a column or an axis), sorted. */
export function differingParams(runs: readonly Run[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.data.params)));
  return [...keys].filter((k) => new Set(runs.map((r) => r.data.params[k] ?? '\u0000missing')).size > 1).sort();
}

function named(run: Run, s: SeriesColumns, state: ChartState): NamedSeries {
  if (state.x === 'step') return { runId: run.info.runId, runName: run.info.runName, key: s.key, steps: s.steps, values: s.values };
  const seconds = new Float64Array(s.timestamps.length);
  for (let i = 0; i < seconds.length; i++) seconds[i] = (s.timestamps[i] - run.info.startTime) / 1000;
  return { runId: run.info.runId, runName: run.info.runName, key: s.key, steps: seconds, values: s.values };
}

/**
 * "3 of 6 points not drawn: 1 NaN, …": the chart leaves out what it cannot place, and the metrics table above it
 * counts every point, so the chart says why the two differ.
 */
export function undrawnNote(values: Float64Array, logScale: boolean): string | undefined {
  let nan = 0, pos = 0, neg = 0, low = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity) pos++;
    else if (v === -Infinity) neg++;
    else if (logScale && v <= 0) low++;
  }
  const parts = [[nan, 'NaN'], [pos, '+Infinity'], [neg, '-Infinity'], [low, '≤ 0 on the log axis']].filter(([n]) => n).map(([n, what]) => `${n} ${what}`);
  const total = nan + pos + neg + low;
  return total ? `${total} of ${values.length} points not drawn: ${parts.join(', ')}` : undefined;
}

/** One run's chart needs no legend naming that run; the page title does. */
function withoutLegend(spec: VegaLiteSpec): VegaLiteSpec {
  const encoding = spec.encoding as Record<string, Record<string, unknown>> | undefined;
  if (!encoding?.color) return spec;
  return { ...spec, encoding: { ...encoding, color: { ...encoding.color, legend: null } } };
}

function required(query: URLSearchParams, name: string): string {
  const v = query.get(name);
  if (!v) throw new TracklabError('INVALID_PARAMETER_VALUE', `The request needs ?${name}=...`);
  return v;
}
