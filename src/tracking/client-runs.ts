/**
 * The run operations of TrackingClient: create and read runs, log params,
 * tags and metrics to them, delete and restore them, and read their metrics
 * back as Arrow tables. Each validates its input first, then writes through
 * the client's store call or, for single metric points, its buffer.
 */
import type { Table } from 'apache-arrow';
import type { MetricColumns, MetricPoint, Run, RunInfo } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { recordProvenance } from '../provenance/provenance';
import { stringifyParam, validateKey, validateMetric, validateParams, validateRunId, validateTags } from '../validation';
import type { TrackingClient } from './client';
import type { SearchRunsOptions } from './client-search';
import type { CreateRunOptions } from './run-input';

export interface BatchInput {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly metrics?: readonly { key: string; value: number; step?: number; timestamp?: number }[];
}

export async function createRun(client: TrackingClient, options: CreateRunOptions): Promise<RunInfo> {
  const input = client.prepareRun(options);
  const experimentId = client.cachedExperimentId(input.experiment) ?? await client.resolveExperimentId(input.experiment);
  const info = await client.call('create the run', (s) => s.createRun({ ...input.run, experimentId }));
  client.adopt({
    runId: info.runId,
    end: async (status, message) => { await client.setTerminated(info.runId, status, message); },
    endSync: (status, message) => client.endSync(info.runId, status, message),
  });
  await recordProvenance(client, info.runId, input.sourceDir);
  return info;
}

export async function getRun(client: TrackingClient, runId: string): Promise<Run> {
  validateRunId(runId);
  return client.call('read the run', (s) => s.getRun(runId));
}

export async function logParam(client: TrackingClient, runId: string, key: string, value: unknown): Promise<void> {
  validateRunId(runId);
  validateKey('Param', key);
  const text = stringifyParam(key, value);
  await client.call('log the param', (s) => s.logBatch(runId, { params: { [key]: text } }));
}

export async function logParams(client: TrackingClient, runId: string, params: Readonly<Record<string, unknown>>): Promise<void> {
  validateRunId(runId);
  const values = validateParams(params);
  await client.call('log the params', (s) => s.logBatch(runId, { params: values }));
}

export async function setTags(client: TrackingClient, runId: string, tags: Readonly<Record<string, unknown>>): Promise<void> {
  validateRunId(runId);
  const values = validateTags(tags);
  await client.call('set the tags', (s) => s.logBatch(runId, { tags: values }));
}

export async function deleteTag(client: TrackingClient, runId: string, key: string): Promise<void> {
  validateRunId(runId);
  validateKey('Tag', key);
  await client.call('delete the tag', (s) => s.logBatch(runId, { deleteTags: [key] }));
}

export async function logBatch(client: TrackingClient, runId: string, batch: BatchInput): Promise<void> {
  validateRunId(runId);
  const params = batch.params === undefined ? undefined : validateParams(batch.params);
  const tags = batch.tags === undefined ? undefined : validateTags(batch.tags);
  const now = Date.now();
  const metrics: MetricPoint[] | undefined = batch.metrics?.map((m) => {
    const point = { key: m.key, value: m.value, step: m.step ?? 0, timestamp: m.timestamp ?? now };
    validateMetric(point.key, point.value, point.step, point.timestamp);
    return point;
  });
  await client.call('log the batch', (s) => s.logBatch(runId, { params, tags, metrics }));
}

export function logMetric(client: TrackingClient, runId: string, key: string, value: number, step: number, timestamp: number): void {
  validateRunId(runId);
  validateMetric(key, value, step, timestamp);
  client.buffer.append(runId, key, value, step, timestamp);
}

export function logMetrics(client: TrackingClient, runId: string, metrics: Readonly<Record<string, number>>, step: number, timestamp: number): void {
  validateRunId(runId);
  if (metrics === null || typeof metrics !== 'object') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricsNotObject(metrics));
  const keys = Object.keys(metrics);
  for (const key of keys) validateMetric(key, metrics[key], step, timestamp);
  const buffer = client.buffer;
  for (const key of keys) buffer.append(runId, key, metrics[key], step, timestamp);
}

export async function deleteRun(client: TrackingClient, runId: string): Promise<void> {
  validateRunId(runId);
  await client.call('delete the run', (s) => s.setRunLifecycle(runId, 'deleted'));
}

export async function restoreRun(client: TrackingClient, runId: string): Promise<void> {
  validateRunId(runId);
  await client.call('restore the run', (s) => s.setRunLifecycle(runId, 'active'));
}

export async function metricHistory(client: TrackingClient, runIds: string | readonly string[], keys: readonly string[] | undefined): Promise<Table> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  keys?.forEach((k) => validateKey('Metric', k));
  await client.flush();
  const blocks = await client.call('read metric history', (s) => s.readMetrics(ids, keys));
  return (require('../metrics/arrow-history') as typeof import('../metrics/arrow-history')).historyTable(blocks);
}

export async function searchRunsArrow(client: TrackingClient, options: SearchRunsOptions): Promise<Table> {
  const { runs } = await client.searchRuns(options);
  return (require('../metrics/arrow-runs') as typeof import('../metrics/arrow-runs')).runsTable(runs);
}

/** Every point of the runs (and keys) as column blocks, after writing what is buffered. */
export async function metricColumns(client: TrackingClient, runIds: string | readonly string[], keys: readonly string[] | undefined): Promise<readonly MetricColumns[]> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  keys?.forEach((k) => validateKey('Metric', k));
  await client.flush();
  return client.call('read metric history', (s) => s.readMetrics(ids, keys));
}
