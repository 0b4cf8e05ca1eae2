/**
 * The registry summary as display bundles, built from plain data (pure: no
 * store, no kernel). A models table (latest version, aliases, source run,
 * key metrics); per model a versions table and a bar chart of one metric
 * across versions with aliases marked. Tables are escaped HTML + text; the
 * chart follows the chart bundle contract (Vega-Lite object + SVG + text,
 * never HTML).
 */
import { barByVersionSpec, type VersionPoint } from '../charts/bar-by-version';
import type { Run } from '../entities';
import type { DisplayBundle } from '../views/bundle';
import { chartBundle, tableBundle } from '../views/chart-bundle';
import { formatNumber, formatTime } from '../views/format';
import { bestIndices, metricValue, type Mode } from '../views/run-metrics';
import type { Cell, Table } from '../views/table';
import type { ModelVersion, RegisteredModel } from '../registry-entities';

/** Registered-model tags exportBest writes so the summary charts the metric it ranked by. */
export const SUMMARY_METRIC_TAG = 'tracklab.summary_metric';
export const SUMMARY_MODE_TAG = 'tracklab.summary_mode';

/** A source run as the summary sees it: the run, or why it is gone. */
export type SourceRun = { readonly run: Run } | { readonly missing: 'purged' | 'none' };

export interface ModelSummary {
  readonly model: RegisteredModel;
  /** Newest first. */
  readonly versions: readonly ModelVersion[];
  readonly sources: ReadonlyMap<string, SourceRun>;
  /** Metric charted and ranked by; null when no source run has metrics. */
  readonly metric: string | null;
  readonly mode: Mode | null;
}

const MAX_METRIC_COLUMNS = 5;

/** The metric to show: the one asked for, the one exportBest ranked by, else the most common among source runs. */
export function pickMetric(model: RegisteredModel, versions: readonly ModelVersion[], sources: ReadonlyMap<string, SourceRun>, asked?: string): string | null {
  if (asked) return asked;
  const tagged = model.tags[SUMMARY_METRIC_TAG];
  if (tagged) return tagged;
  return commonMetrics(versions, sources)[0] ?? null;
}

function runOf(version: ModelVersion, sources: ReadonlyMap<string, SourceRun>): Run | undefined {
  const source = version.runId === null ? undefined : sources.get(version.runId);
  return source && 'run' in source ? source.run : undefined;
}

/** Metric keys of the source runs, most common first, then by name. */
function commonMetrics(versions: readonly ModelVersion[], sources: ReadonlyMap<string, SourceRun>): string[] {
  const counts = new Map<string, number>();
  for (const v of versions) for (const key of Object.keys(runOf(v, sources)?.data.metrics ?? {})) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k]) => k);
}

/** The source run's name, marked when the run is deleted or purged; the source URI when there is no run. */
function sourceCell(version: ModelVersion, sources: ReadonlyMap<string, SourceRun>): string {
  if (version.runId === null) return version.source;
  const source = sources.get(version.runId);
  if (source && 'run' in source) return `${source.run.info.runName}${source.run.info.lifecycleStage === 'deleted' ? ' (deleted)' : ''}`;
  return '(purged)';
}

function metricsText(run: Run | undefined, first: string | null): string {
  if (!run) return '';
  const keys = Object.keys(run.data.metrics).sort();
  const ordered = first && keys.includes(first) ? [first, ...keys.filter((k) => k !== first)] : keys;
  return ordered.slice(0, 3).map((k) => `${k}=${formatNumber(run.data.metrics[k].last)}`).join(', ');
}

/** One row per registered model. */
export function modelsTable(summaries: readonly ModelSummary[], note?: string): Table {
  return {
    caption: 'Registered models',
    columns: [{ title: 'model' }, { title: 'latest', align: 'right' }, { title: 'aliases' }, { title: 'source run (latest)' }, { title: 'key metrics' }, { title: 'updated' }],
    rows: summaries.map(({ model, versions, sources, metric }) => {
      const latest = versions.find((v) => v.version === model.latestVersion);
      return {
        cells: [
          model.name,
          model.latestVersion,
          model.aliases.map((a) => `@${a.alias} → v${a.version}`).join(', '),
          latest ? sourceCell(latest, sources) : null,
          latest ? metricsText(runOf(latest, sources), metric) : null,
          formatTime(model.lastUpdatedTime),
        ],
      };
    }),
    note: note ?? (summaries.length === 0 ? 'No registered models yet: register one with tracklab.getRegistry().registerModel(modelUri, name) or tracklab.exportBest().' : undefined),
  };
}

/** The versions of one model, newest first, with the source runs' metrics; the best version by `mode` is marked. */
export function versionsTable(summary: ModelSummary): Table {
  const { model, versions, sources, metric, mode } = summary;
  const common = commonMetrics(versions, sources);
  const keys = (metric ? [metric, ...common.filter((k) => k !== metric)] : common).slice(0, MAX_METRIC_COLUMNS);
  const values = versions.map((v) => { const run = runOf(v, sources); return run && metric ? metricValue(run, metric) : NaN; });
  const best = new Set(metric && mode ? bestIndices(values, mode) : []);
  return {
    caption: `${model.name}: ${versions.length} version${versions.length === 1 ? '' : 's'}`,
    columns: [
      { title: 'version', align: 'right' }, { title: 'status' }, { title: 'aliases' }, { title: 'created' }, { title: 'source run' }, { title: 'run_id' },
      ...keys.map((k) => ({ title: k, align: 'right' as const })), { title: 'description' },
    ],
    rows: versions.map((v, i) => {
      const run = runOf(v, sources);
      const metricCells: Cell[] = keys.map((k) => run?.data.metrics[k]?.last ?? null);
      return {
        cells: [v.version, v.status, v.aliases.map((a) => `@${a}`).join(' '), formatTime(v.creationTime), sourceCell(v, sources), v.runId, ...metricCells, v.description],
        highlight: best.has(i),
      };
    }),
    highlightLabel: best.size > 0 ? `best ${metric} (${mode})` : undefined,
  };
}

/** The chart of `metric` across versions, aliases marked; undefined when no version has a value. */
export async function versionsChart(summary: ModelSummary): Promise<DisplayBundle | undefined> {
  const { model, versions, sources, metric } = summary;
  if (!metric) return undefined;
  const points: VersionPoint[] = versions.map((v) => {
    const run = runOf(v, sources);
    const value = run ? metricValue(run, metric) : NaN;
    return { version: v.version, value: Number.isFinite(value) ? value : null, aliases: v.aliases };
  });
  if (points.every((p) => p.value === null)) return undefined;
  const text = [...points].sort((a, b) => a.version - b.version)
    .map((p) => `v${p.version} ${p.value === null ? '—' : formatNumber(p.value)}${p.aliases.length ? ` ${p.aliases.map((a) => `@${a}`).join(' ')}` : ''}`)
    .join(', ');
  return chartBundle(barByVersionSpec(model.name, metric, points), `${model.name}: ${metric} by version (${text})`);
}

/** Every bundle of the summary, in display order. */
export async function summaryBundles(summaries: readonly ModelSummary[], detailed: readonly ModelSummary[], note?: string): Promise<DisplayBundle[]> {
  const bundles: DisplayBundle[] = [tableBundle(modelsTable(summaries, note))];
  for (const summary of detailed) {
    if (summary.versions.length === 0) continue;
    bundles.push(tableBundle(versionsTable(summary)));
    const chart = await versionsChart(summary);
    if (chart) bundles.push(chart);
  }
  return bundles;
}
