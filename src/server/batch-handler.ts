/**
 * MLflow's LogBatch: params, tags and metric points for one run in one store
 * write, so a batch lands whole or not at all. Within MLflow's limits: at
 * most 1000 metrics, 100 params and 100 tags, 1000 in all (the shared
 * validation.ts limits, checked on the list lengths before any entry is read),
 * in a body of at most 1 MB (the router checks the bytes, see routes.ts). Params are
 * write-once as everywhere in tracklab; a tag given twice keeps its last value.
 */
import { TracklabError } from '../errors';
import type { MetricPoint } from '../entities';
import { stringifyParam, validateBatchCounts, validateKey, validateRunName } from '../validation';
import type { ApiHandler } from './api-context';
import { tagRecord } from './experiment-handlers';
import { RUN_NAME_TAG } from './mlflow-json';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';
import { metricOf } from './run-handlers';
import { runIdOf } from './run-id-field';

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
  validateBatchCounts({ metrics: fields.count('metrics'), params: fields.count('params'), tags: fields.count('tags') });
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
