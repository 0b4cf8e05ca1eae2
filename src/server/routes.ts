/**
 * The API's endpoints: MLflow's paths (service.proto and
 * model_registry.proto, REST API 2.0), each method of a path to one
 * handler. One table, so the router, the tests and the docs agree on what exists.
 */
import type { ApiHandler } from './api-context';
import { ApiLimits } from './api-limits';
import { logBatch } from './batch-handler';
import { logInputs } from './log-inputs-handler';
import { experimentHandlers as e } from './experiment-handlers';
import { serverMsg } from './messages';
import { getMetricHistory, getMetricHistoryBulkInterval } from './metric-history-handlers';
import type { ReadRequestOptions } from './read-request';
import { registryHandlers as m } from './registry-handlers';
import { runHandlers as r } from './run-handlers';
import { searchRuns } from './search-runs-handler';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Endpoint {
  readonly handler: ApiHandler;
  readonly endpointLimit?: ReadRequestOptions['endpointLimit'];
}

export type Route = Readonly<Partial<Record<Method, Endpoint>>>;

export const API_PREFIX = '/api/2.0/mlflow/';

const listArtifacts: ApiHandler = (ctx, fields) => ctx.artifacts().listRun(fields);

/** Paths below API_PREFIX. */
export const routes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['experiments/create', { POST: { handler: e.createExperiment } }],
  ['experiments/get', { GET: { handler: e.getExperiment } }],
  ['experiments/get-by-name', { GET: { handler: e.getExperimentByName } }],
  ['experiments/search', { GET: { handler: e.searchExperiments }, POST: { handler: e.searchExperiments } }],
  ['experiments/update', { POST: { handler: e.updateExperiment } }],
  ['experiments/delete', { POST: { handler: e.deleteExperiment } }],
  ['experiments/restore', { POST: { handler: e.restoreExperiment } }],
  ['experiments/set-experiment-tag', { POST: { handler: e.setExperimentTag } }],
  ['runs/create', { POST: { handler: r.createRun } }],
  ['runs/get', { GET: { handler: r.getRun } }],
  ['runs/update', { POST: { handler: r.updateRun } }],
  ['runs/delete', { POST: { handler: r.deleteRun } }],
  ['runs/restore', { POST: { handler: r.restoreRun } }],
  ['runs/search', { POST: { handler: searchRuns } }],
  ['runs/log-metric', { POST: { handler: r.logMetric } }],
  ['runs/log-parameter', { POST: { handler: r.logParam } }],
  ['runs/set-tag', { POST: { handler: r.setTag } }],
  ['runs/delete-tag', { POST: { handler: r.deleteTag } }],
  ['runs/log-inputs', { POST: { handler: logInputs } }],
  ['runs/log-batch', { POST: { handler: logBatch, endpointLimit: { bytes: ApiLimits.batchRequestBytes, message: serverMsg.batchTooLarge } } }],
  ['artifacts/list', { GET: { handler: listArtifacts } }],
  ['metrics/get-history', { GET: { handler: getMetricHistory } }],
  ['metrics/get-history-bulk-interval', { GET: { handler: getMetricHistoryBulkInterval } }],

  ['registered-models/create', { POST: { handler: m.createRegisteredModel } }],
  ['registered-models/get', { GET: { handler: m.getRegisteredModel } }],
  ['registered-models/rename', { POST: { handler: m.renameRegisteredModel } }],
  ['registered-models/update', { PATCH: { handler: m.updateRegisteredModel } }],
  ['registered-models/delete', { DELETE: { handler: m.deleteRegisteredModel } }],
  ['registered-models/search', { GET: { handler: m.searchRegisteredModels } }],
  ['registered-models/get-latest-versions', { GET: { handler: m.getLatestVersions }, POST: { handler: m.getLatestVersions } }],
  ['registered-models/set-tag', { POST: { handler: m.setRegisteredModelTag } }],
  ['registered-models/delete-tag', { DELETE: { handler: m.deleteRegisteredModelTag } }],
  ['registered-models/alias', { POST: { handler: m.setAlias }, DELETE: { handler: m.deleteAlias }, GET: { handler: m.getModelVersionByAlias } }],
  ['model-versions/create', { POST: { handler: m.createModelVersion } }],
  ['model-versions/get', { GET: { handler: m.getModelVersion } }],
  ['model-versions/update', { PATCH: { handler: m.updateModelVersion } }],
  ['model-versions/delete', { DELETE: { handler: m.deleteModelVersion } }],
  ['model-versions/search', { GET: { handler: m.searchModelVersions } }],
  ['model-versions/get-download-uri', { GET: { handler: m.getModelVersionDownloadUri } }],
  ['model-versions/set-tag', { POST: { handler: m.setModelVersionTag } }],
  ['model-versions/delete-tag', { DELETE: { handler: m.deleteModelVersionTag } }],
]);
