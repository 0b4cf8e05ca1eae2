/**
 * MLflow's LogBatch: params, tags and metric points for one run in one store
 * write, so a batch lands whole or not at all. Within MLflow's limits: at
 * most 1000 metrics, 100 params and 100 tags, 1000 in all, in a body of at
 * most 1 MB (the router checks the bytes, see routes.ts). Params are
 * write-once as everywhere in tracklab; a tag given twice keeps its last value.
 */
import { TracklabError } from '../errors';
import type { MetricPoint } from '../entities';
import { stringifyParam, validateKey, validateRunName } from '../validation';
import type { ApiHandler } from './api-context';
import { ApiLimits } from './api-limits';
import { tagRecord } from './experiment-handlers';
import { RUN_NAME_TAG } from './mlflow-json';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';
import { metricOf } from './run-handlers';
import { runIdOf } from './run-id-field';

function checkCounts(fields: RequestFields): void {
  const metrics = fields.count('metrics');
  const params = fields.count('params');
  const tags = fields.count('tags');
  const tooMany = (what: string, got: number, limit: number) => new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tooMany(what, got, limit));
  if (metrics > ApiLimits.metricsPerBatch) throw tooMany('metrics', metrics, ApiLimits.metricsPerBatch);
  if (params > ApiLimits.paramsTagsPerBatch) throw tooMany('params', params, ApiLimits.paramsTagsPerBatch);
  if (tags > ApiLimits.paramsTagsPerBatch) throw tooMany('tags', tags, ApiLimits.paramsTagsPerBatch);
  const total = metrics + params + tags;
  if (total > ApiLimits.entitiesPerBatch) throw tooMany('metrics, params and tags in all', total, ApiLimits.entitiesPerBatch);
}

function paramRecord(fields: RequestFields): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const param of fields.messages('params')) {
    const key = param.string('key', true);
    validateKey('Param', key);
    const value = stringifyParam(key, param.string('value') ?? '');
    if (out[key] !== undefined && out[key] !== value) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.paramTwice(key, out[key]!, value));
    }
    out[key] = value;
  }
  return out;
}

export const logBatch: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  checkCounts(fields);
  const metrics: MetricPoint[] = fields.messages('metrics').map(metricOf);
  const params = paramRecord(fields);
  const tags = tagRecord(fields);
  // MLflow's run-name tag is the run's name here (see mlflow-json.ts): it renames the run, as in MLflow.
  const runName = tags[RUN_NAME_TAG];
  delete tags[RUN_NAME_TAG];
  if (runName !== undefined) validateRunName(runName);
  await ctx.call('log the batch', (s) => s.logBatch(runId, { params: { ...params }, tags: { ...tags }, metrics }));
  if (runName !== undefined) await ctx.call('rename the run', (s) => s.updateRun(runId, { runName }));
  return {};
};
