/**
 * MLflow's LogInputs (`POST runs/log-inputs`: run_id, datasets): the run's
 * dataset inputs, validated as MLflow validates them (mlflow-dataset-json.ts)
 * and written in one store call, so a request lands whole or not at all.
 */
import { TracklabError } from '../errors';
import type { ApiHandler } from './api-context';
import { MlflowDatasetLimits, datasetInputFromMlflow } from './mlflow-dataset-json';
import { serverMsg } from './messages';
import { runIdOf } from './run-id-field';

export const logInputs: ApiHandler = async (ctx, fields) => {
  const runId = runIdOf(fields);
  const count = fields.count('datasets');
  if (count > MlflowDatasetLimits.perRequest) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tooManyDatasets(count, MlflowDatasetLimits.perRequest));
  const inputs = fields.messages('datasets').map(datasetInputFromMlflow);
  const run = await ctx.call('read the run', (s) => s.getRun(runId));
  if (run.info.lifecycleStage !== 'active') throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.runNotActive(runId));
  if (inputs.length > 0) await ctx.call('log the dataset inputs', (s) => s.logInputs(runId, inputs));
  return {};
};
