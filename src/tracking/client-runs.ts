/**
 * The run operations of TrackingClient: create, read and end runs, log
 * params, tags and metrics to them, delete and restore them, and read their
 * metrics back. Each validates its input first, then writes through the
 * core's store call or, for single metric points, its buffer.
 */
import type { Table } from 'apache-arrow';
import type { MetricColumns, MetricPoint, Run, RunInfo, RunStatus } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { recordProvenance } from '../provenance/provenance';
import { stringifyParam, validateEndStatus, validateKey, validateMetric, validateParams, validateRunId, validateTags } from '../validation';
import { recordFrom } from '../records';
import type { LogBatch } from '../store/store';
import type { ClientCore } from './client-core';
import { splitBatch, writeBatches } from './log-batches';
import { validateOptionNames } from '../option-names';
import { CREATE_RUN_OPTIONS, prepareRun, type CreateRunOptions } from './run-input';

export interface BatchInput {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly metrics?: readonly { key: string; value: number; step?: number; timestamp?: number }[];
}

export async function createRun(core: ClientCore, options: CreateRunOptions): Promise<RunInfo> {
  validateOptionNames('createRun()', options, CREATE_RUN_OPTIONS);
  const input = prepareRun(options);
  const experimentId = await core.resolveExperimentId(input.experiment);
  const info = await core.call('create the run', (s) => s.createRun({ ...input.run, experimentId }));
  await writeBatches(core, info.runId, input.more, 'log the params and tags of the new run');
  core.runs.adopt({
    runId: info.runId,
    end: async (status, message) => { await setTerminated(core, info.runId, status, message); },
    endAtExit: (status, message) => core.runs.endWrittenAtExit(info.runId, status, message),
  });
  await recordProvenance(core, info.runId, input.sourceDir);
  return info;
}

export async function setTerminated(core: ClientCore, runId: string, status: RunStatus, message: string | undefined): Promise<RunInfo> {
  validateRunId(runId);
  validateEndStatus(status);
  core.runs.release(runId);
  return core.runs.completeRun(runId, status, message ?? null);
}

export async function getRun(core: ClientCore, runId: string): Promise<Run> {
  validateRunId(runId);
  return core.call('read the run', (s) => s.getRun(runId));
}

export async function logParam(core: ClientCore, runId: string, key: string, value: unknown): Promise<void> {
  validateRunId(runId);
  validateKey('Param', key);
  const text = stringifyParam(key, value);
  await core.call('log the param', (s) => s.logBatch(runId, { params: recordFrom([[key, text]]) }));
}

export async function logParams(core: ClientCore, runId: string, params: Readonly<Record<string, unknown>>): Promise<void> {
  validateRunId(runId);
  const values = validateParams(params);
  await logSplit(core, runId, { params: values }, 'log the params');
}

export async function setTags(core: ClientCore, runId: string, tags: Readonly<Record<string, unknown>>): Promise<void> {
  validateRunId(runId);
  const values = validateTags(tags);
  await logSplit(core, runId, { tags: values }, 'set the tags');
}

export async function deleteTag(core: ClientCore, runId: string, key: string): Promise<void> {
  validateRunId(runId);
  validateKey('Tag', key);
  await core.call('delete the tag', (s) => s.logBatch(runId, { deleteTags: [key] }));
}

export async function logBatch(core: ClientCore, runId: string, batch: BatchInput): Promise<void> {
  validateRunId(runId);
  const params = batch.params === undefined ? undefined : validateParams(batch.params);
  const tags = batch.tags === undefined ? undefined : validateTags(batch.tags);
  const now = Date.now();
  const metrics: MetricPoint[] | undefined = batch.metrics?.map((m) => {
    const point = { key: m.key, value: m.value, step: m.step ?? 0, timestamp: m.timestamp ?? now };
    validateMetric(point.key, point.value, point.step, point.timestamp);
    return point;
  });
  await logSplit(core, runId, { params, tags, metrics }, 'log the batch');
}

/**
 * Writes a validated batch of any size as writes within MLflow's limits. When
 * it takes several, params are first checked against the run's, so a
 * conflict still leaves the run untouched.
 */
async function logSplit(core: ClientCore, runId: string, batch: LogBatch, what: string): Promise<void> {
  const parts = splitBatch(batch);
  if (parts.length > 1 && batch.params !== undefined) {
    const run = await core.call(what, (s) => s.getRun(runId));
    for (const key of Object.keys(batch.params)) {
      const old = run.data.params[key];
      if (old !== undefined && old !== batch.params[key]) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', msg.paramChanged(key, old, batch.params[key], `${run.info.runName} (${runId})`));
      }
    }
  }
  await writeBatches(core, runId, parts, what);
}

export function logMetric(core: ClientCore, runId: string, key: string, value: number, step: number, timestamp: number): void {
  validateRunId(runId);
  validateMetric(key, value, step, timestamp);
  core.runs.buffer.append(runId, key, value, step, timestamp);
}

export function logMetrics(core: ClientCore, runId: string, metrics: Readonly<Record<string, number>>, step: number, timestamp: number): void {
  validateRunId(runId);
  if (metrics === null || typeof metrics !== 'object') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricsNotObject(metrics));
  const keys = Object.keys(metrics);
  for (const key of keys) validateMetric(key, metrics[key], step, timestamp);
  const buffer = core.runs.buffer;
  for (const key of keys) buffer.append(runId, key, metrics[key], step, timestamp);
}

export async function deleteRun(core: ClientCore, runId: string): Promise<void> {
  validateRunId(runId);
  await core.call('delete the run', (s) => s.setRunLifecycle(runId, 'deleted'));
}

export async function restoreRun(core: ClientCore, runId: string): Promise<void> {
  validateRunId(runId);
  await core.call('restore the run', (s) => s.setRunLifecycle(runId, 'active'));
}

/** Every point of the runs (and keys) as column blocks, after writing what is buffered. */
export async function metricColumns(core: ClientCore, runIds: string | readonly string[], keys: readonly string[] | undefined): Promise<readonly MetricColumns[]> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  keys?.forEach((k) => validateKey('Metric', k));
  await core.runs.flush();
  return core.call('read metric history', (s) => s.readMetrics(ids, keys));
}

export async function metricHistory(core: ClientCore, runIds: string | readonly string[], keys: readonly string[] | undefined): Promise<Table> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  keys?.forEach((k) => validateKey('Metric', k));
  await core.runs.flush();
  const arrow = require('../metrics/arrow-history') as typeof import('../metrics/arrow-history');
  // A store that hands out encoded blocks lets them be decoded straight into the table's buffers.
  return core.call('read metric history', async (s) => (s.readMetricBlocks !== undefined
    ? arrow.historyTableFromEncoded(await s.readMetricBlocks(ids, keys))
    : arrow.historyTable(await s.readMetrics(ids, keys))));
}
