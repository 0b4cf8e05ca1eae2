/**
 * One registered model as the registry views need it: its newest versions
 * and the runs they came from, with the metric and direction to rank them by.
 * Reads only; the views live in show/ and views/.
 */
import { isTracklabError } from '../errors';
import type { RegisteredModel } from '../registry-entities';
import { quoteFilterValue } from '../search';
import { inferMode } from '../views/run-metrics';
import type { RegistryClient } from './registry-client';
import { pickMetric, SUMMARY_METRIC_TAG, SUMMARY_MODE_TAG, type ModelSummary, type SourceRun } from './registry-summary';

const MAX_VERSIONS = 50;

/** A model's versions (newest 50) and their source runs, ready for the summary tables and chart. */
export async function summarizeModel(registry: RegistryClient, model: RegisteredModel, metricAsked?: string): Promise<ModelSummary> {
  const { modelVersions } = await registry.searchModelVersions({ filter: `name = ${quoteFilterValue(model.name)}`, maxResults: MAX_VERSIONS });
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
