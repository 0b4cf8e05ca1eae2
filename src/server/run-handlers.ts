/**
 * MLflow's run endpoints (service.proto: CreateRun, GetRun, UpdateRun,
 * DeleteRun, RestoreRun, LogMetric, LogParam, SetTag, DeleteTag), over the
 * store. Run ids come from tracklab (`newRunId`); a run created here has no
 * owning process, so the crash reaper leaves it RUNNING until a client ends
 * it, as MLflow does.
 */
import type { RunStatus } from '../entities';
import { TracklabError } from '../errors';
import { newRunId } from '../tracking/run-input';
import { generateRunName } from '../tracking/run-names';
import { stringifyParam, stringifyTag, validateKey, validateMetric, validateRunId, validateRunName } from '../validation';
import type { ApiContext, ApiHandler } from './api-context';
import { DEFAULT_EXPERIMENT_ID, experimentById, tagRecord } from './experiment-handlers';
import { MlflowRunStatus, PARENT_RUN_TAG, RUN_NAME_TAG, USER_TAG, runInfoJson, runJson } from './mlflow-json';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';
import { runIdOf } from './run-id-field';

/** Takes MLflow's system tags that tracklab keeps as run columns out of `tags`. */
function takeTag(tags: Record<string, string>, key: string): string | undefined {
  const value = tags[key];
  delete tags[key];
  return value === '' ? undefined : value;
}

const createRun: ApiHandler = async (ctx, fields) => {
  const exp = await experimentById(ctx, fields.string('experiment_id') || DEFAULT_EXPERIMENT_ID);
  const tags = tagRecord(fields);
  const nameTag = takeTag(tags, RUN_NAME_TAG);
  const runNameField = fields.string('run_name') || undefined;
  if (runNameField !== undefined && nameTag !== undefined && runNameField !== nameTag) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.runNameConflict(runNameField, nameTag));
  }
  const runName = runNameField ?? nameTag ?? generateRunName();
  validateRunName(runName);
  const user = (fields.string('user_id') || undefined) ?? takeTag(tags, USER_TAG);
  delete tags[USER_TAG];
  const parentRunId = takeTag(tags, PARENT_RUN_TAG);
  if (parentRunId !== undefined) validateRunId(parentRunId);
  const startTime = fields.int64('start_time') ?? Date.now();
  if (startTime < 0) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.invalidField('start_time', startTime, 'a time in milliseconds since 1970'));
  const runId = newRunId();
  await ctx.call('create the run', (s) => s.createRun({ runId, runName, experimentId: exp.experimentId, parentRunId, startTime, user, tags: { ...tags } }));
  return { run: runJson(await ctx.call('read the run', (s) => s.getRun(runId))) };
};

const getRun: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const run = await ctx.call('read the run', (s) => s.getRun(runId));
  return { run: runJson(run, await ctx.call('list the dataset inputs', (s) => s.listInputs([runId]))) };
};

const updateRun: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const requested = fields.enumName('status', MlflowRunStatus);
  if (requested === 'SCHEDULED') throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.scheduledStatus());
  const endTime = fields.int64('end_time');
  const runName = fields.string('run_name') || undefined;
  if (runName !== undefined) validateRunName(runName);
  const current = (await ctx.call('read the run', (s) => s.getRun(runId))).info;
  // Ending a run twice with the same outcome is a no-op here, as in MLflow; tracklab refuses a second, different outcome.
  const status: RunStatus | undefined = requested === undefined || requested === current.status ? undefined : requested;
  const info = await ctx.call('update the run', (s) => s.updateRun(runId, { status, endTime, runName }));
  return { run_info: runInfoJson(info) };
};

const deleteRun: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  await ctx.call('delete the run', (s) => s.setRunLifecycle(runId, 'deleted'));
  return {};
};

const restoreRun: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  await ctx.call('restore the run', (s) => s.setRunLifecycle(runId, 'active'));
  return {};
};

/** One metric message (LogMetric's fields, or an element of LogBatch's `metrics`), checked. */
export function metricOf(fields: RequestFields): { key: string; value: number; timestamp: number; step: number } {
  const key = fields.string('key', true);
  const value = fields.double('value', true);
  const timestamp = fields.int64('timestamp', true);
  const step = fields.int64('step') ?? 0;
  validateMetric(key, value, step, timestamp);
  return { key, value, timestamp, step };
}

const logMetric: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const point = metricOf(fields);
  await ctx.call('log the metric', (s) => s.logBatch(runId, { metrics: [point] }));
  return {};
};

const logParam: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const key = fields.string('key', true);
  validateKey('Param', key);
  const value = stringifyParam(key, fields.string('value') ?? '');
  await ctx.call('log the param', (s) => s.logBatch(runId, { params: { [key]: value } }));
  return {};
};

const setTag: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const key = fields.string('key', true);
  validateKey('Tag', key);
  const value = stringifyTag(key, fields.string('value') ?? '');
  if (key === RUN_NAME_TAG) {
    validateRunName(value);
    await ctx.call('rename the run', (s) => s.updateRun(runId, { runName: value }));
  } else {
    await ctx.call('set the tag', (s) => s.logBatch(runId, { tags: { [key]: value } }));
  }
  return {};
};

const deleteTag: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const key = fields.string('key', true);
  validateKey('Tag', key);
  const run = await ctx.call('read the run', (s) => s.getRun(runId));
  if (!Object.prototype.hasOwnProperty.call(run.data.tags, key)) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.noSuchTag(key, runId));
  }
  await ctx.call('delete the tag', (s) => s.logBatch(runId, { deleteTags: [key] }));
  return {};
};

/** A run that must exist (for reads that would otherwise answer an empty list). */
export async function requireRun(ctx: ApiContext, runId: string): Promise<void> {
  await ctx.call('read the run', (s) => s.getRun(runId));
}

export const runHandlers = { createRun, getRun, updateRun, deleteRun, restoreRun, logMetric, logParam, setTag, deleteTag } as const;
