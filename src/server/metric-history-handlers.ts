/**
 * MLflow's metric history endpoints: GetMetricHistory (every point of one
 * metric of one run, in pages when `max_results` is given) and
 * GetMetricHistoryBulkInterval (several runs, sampled to at most
 * `max_results` steps per run, first and last step always kept). Points come
 * in the order they were logged.
 */
import type { MetricColumns, MetricPoint } from '../entities';
import { TracklabError } from '../errors';
import { createPageToken, readPageToken } from '../search/page-token';
import { validateKey, validateRunId } from '../validation';
import type { ApiContext, ApiHandler } from './api-context';
import { ApiLimits } from './api-limits';
import { jsonDouble, metricJson } from './mlflow-json';
import { serverMsg } from './messages';
import { requireRun } from './run-handlers';
import { runIdOf } from './run-id-field';

function pointsOf(blocks: readonly MetricColumns[], runId: string, key: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const b of blocks) {
    if (b.runId !== runId || b.key !== key) continue;
    for (let i = 0; i < b.values.length; i++) points.push({ key, value: b.values[i]!, step: b.steps[i]!, timestamp: b.timestamps[i]! });
  }
  return points;
}

async function history(ctx: ApiContext, runId: string, key: string): Promise<MetricPoint[]> {
  await requireRun(ctx, runId);
  const blocks = await ctx.call('read metric history', (s) => s.readMetrics([runId], [key]));
  return pointsOf(blocks, runId, key);
}

export const getMetricHistory: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const key = fields.string('metric_key', true);
  validateKey('Metric', key);
  const maxResults = fields.int64('max_results');
  if (maxResults !== undefined && maxResults < 1) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.invalidField('max_results', maxResults, 'a positive integer'));
  const identity = { runId, key, maxResults };
  const offset = readPageToken(fields.string('page_token'), identity);
  const points = await history(ctx, runId, key);
  const end = maxResults === undefined ? points.length : Math.min(points.length, offset + maxResults);
  const out: Record<string, unknown> = {};
  if (end > offset) out.metrics = points.slice(offset, end).map(metricJson);
  if (end < points.length) out.next_page_token = createPageToken(end, identity);
  return out;
};

/** At most `max` distinct steps, evenly spread over the sorted steps, always with the first and the last. */
export function sampleSteps(steps: readonly number[], max: number): Set<number> {
  const distinct = [...new Set(steps)].sort((a, b) => a - b);
  if (distinct.length <= max) return new Set(distinct);
  if (max === 1) return new Set([distinct[0]!]);
  const chosen = new Set<number>();
  for (let i = 0; i < max; i++) chosen.add(distinct[Math.round((i * (distinct.length - 1)) / (max - 1))]!);
  return chosen;
}

export const getMetricHistoryBulkInterval: ApiHandler = async (ctx, fields) => {
  const runIds = fields.strings('run_ids');
  if (runIds.length === 0) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.missingField('run_ids'));
  if (runIds.length > ApiLimits.historyBulkRuns) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.bulkTooManyRuns(ApiLimits.historyBulkRuns, runIds.length));
  }
  runIds.forEach((id) => validateRunId(id));
  const key = fields.string('metric_key', true);
  validateKey('Metric', key);
  const maxResults = fields.int64('max_results') ?? ApiLimits.historyBulkPointsPerRun;
  if (maxResults < 1 || maxResults > ApiLimits.historyBulkPointsPerRun) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.bulkMaxResults(ApiLimits.historyBulkPointsPerRun));
  }
  const start = fields.int64('start_step');
  const end = fields.int64('end_step');
  if ((start === undefined) !== (end === undefined)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.stepsTogether());
  if (start !== undefined && end !== undefined && start > end) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.stepRange(start, end));
  const metrics: Record<string, unknown>[] = [];
  for (const runId of [...new Set(runIds)].sort()) {
    const points = (await history(ctx, runId, key)).filter((p) => start === undefined || (p.step >= start && p.step <= end!));
    const keep = sampleSteps(points.map((p) => p.step), maxResults);
    const chosen = points.filter((p) => keep.has(p.step)).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    for (const p of chosen) metrics.push({ key, value: jsonDouble(p.value), timestamp: p.timestamp, step: p.step, run_id: runId });
  }
  return metrics.length > 0 ? { metrics } : {};
};
