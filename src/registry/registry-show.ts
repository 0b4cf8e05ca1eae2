/**
 * `registry.show(name?)`: gathers the registry summary (models, versions,
 * their source runs) and shows it under the running notebook cell, or as
 * text outside a kernel.
 */
import { isTracklabError } from '../errors';
import { display } from '../notebook/display';
import type { DisplayBundle } from '../views/bundle';
import { inferMode } from '../views/run-metrics';
import { getRegistry } from './default-registry';
import type { RegisteredModel } from '../registry-entities';
import type { RegistryClient } from './registry-client';
import { pickMetric, summaryBundles, SUMMARY_METRIC_TAG, SUMMARY_MODE_TAG, type ModelSummary, type SourceRun } from './registry-summary';

export interface ShowOptions {
  /** Metric to chart and rank versions by. Default: the one exportBest used, else the most common. */
  readonly metric?: string;
  readonly registry?: RegistryClient;
  /** Models listed at most. Default 50. */
  readonly maxModels?: number;
  /** Models shown with versions and a chart when no name is given. Default 5 (most recently updated). */
  readonly maxDetailed?: number;
}

export interface RegistrySummary {
  readonly bundles: readonly DisplayBundle[];
  /** The text/plain parts joined, as a console shows them. */
  readonly text: string;
}

const MAX_VERSIONS = 50;

/**
 * Shows the registry summary under the running cell (as text outside a
 * kernel): every model (or only `name`), then each model's versions and a
 * chart of its metric across versions.
 *
 * @example
 * await tracklab.registry.show();          // all models
 * await tracklab.registry.show('churn');   // one model, its versions and chart
 */
export async function show(name?: string, options: ShowOptions = {}): Promise<void> {
  const { bundles } = await registrySummary(name, options);
  for (const bundle of bundles) display(bundle);
}

/**
 * The bundles `show` displays, without displaying them.
 *
 * @example
 * const { bundles, text } = await registrySummary('churn', { metric: 'val_auc' });
 */
export async function registrySummary(name?: string, options: ShowOptions = {}): Promise<RegistrySummary> {
  const registry = options.registry ?? getRegistry();
  let models: readonly RegisteredModel[];
  let note: string | undefined;
  if (name !== undefined) {
    models = [await registry.getRegisteredModel(name)];
  } else {
    const maxModels = options.maxModels ?? 50;
    const page = await registry.searchRegisteredModels({ orderBy: ['last_updated_timestamp DESC'], maxResults: maxModels });
    models = page.registeredModels;
    if (page.nextPageToken) note = `showing the ${maxModels} most recently updated models; pass a name to see another`;
  }
  const summaries: ModelSummary[] = [];
  for (const model of models) summaries.push(await summarizeModel(registry, model, options.metric));
  const detailed = name !== undefined ? summaries : summaries.slice(0, options.maxDetailed ?? 5);
  const bundles = await summaryBundles(summaries, detailed, note);
  return { bundles, text: bundles.map((b) => String(b.data['text/plain'] ?? '')).join('\n\n') };
}

/** A model's versions (newest 50) and their source runs, ready for the summary tables and chart. */
export async function summarizeModel(registry: RegistryClient, model: RegisteredModel, metricAsked?: string): Promise<ModelSummary> {
  const { modelVersions } = await registry.searchModelVersions({ filter: `name = '${model.name.replace(/'/g, "''")}'`, maxResults: MAX_VERSIONS });
  const sources = new Map<string, SourceRun>();
  for (const v of modelVersions) {
    if (v.runId === null || sources.has(v.runId)) continue;
    try {
      sources.set(v.runId, { run: await registry.tracking.getRun(v.runId) });
    } catch (err) {
      if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      sources.set(v.runId, { missing: 'purged' });
    }
  }
  const metric = pickMetric(model, modelVersions, sources, metricAsked);
  // The direction exportBest ranked by holds only for the metric it ranked.
  const taggedMode = metric === model.tags[SUMMARY_METRIC_TAG] ? model.tags[SUMMARY_MODE_TAG] : undefined;
  const mode = taggedMode === 'min' || taggedMode === 'max' ? taggedMode : metric ? inferMode(metric) : null;
  return { model, versions: modelVersions, sources, metric, mode };
}
