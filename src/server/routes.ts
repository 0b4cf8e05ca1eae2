/**
 * The API's endpoints: MLflow's paths (service.proto, REST API 2.0) with
 * their methods, each to one handler. One table, so the router, the tests
 * and the docs agree on what exists.
 */
import type { ApiHandler } from './api-context';
import { ApiLimits } from './api-limits';
import { logBatch } from './batch-handler';
import { experimentHandlers as e } from './experiment-handlers';
import { serverMsg } from './messages';
import { getMetricHistory, getMetricHistoryBulkInterval } from './metric-history-handlers';
import { runHandlers as r } from './run-handlers';
import { searchRuns } from './search-runs-handler';
import type { ReadRequestOptions } from './read-request';

export type Method = 'GET' | 'POST';

export interface Route {
  readonly methods: readonly Method[];
  readonly handler: ApiHandler;
  readonly endpointLimit?: ReadRequestOptions['endpointLimit'];
}

export const API_PREFIX = '/api/2.0/mlflow/';

const GET: readonly Method[] = ['GET'];
const POST: readonly Method[] = ['POST'];

/** Paths below API_PREFIX. */
export const routes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['experiments/create', { methods: POST, handler: e.createExperiment }],
  ['experiments/get', { methods: GET, handler: e.getExperiment }],
  ['experiments/get-by-name', { methods: GET, handler: e.getExperimentByName }],
  ['experiments/search', { methods: ['GET', 'POST'], handler: e.searchExperiments }],
  ['experiments/update', { methods: POST, handler: e.updateExperiment }],
  ['experiments/delete', { methods: POST, handler: e.deleteExperiment }],
  ['experiments/restore', { methods: POST, handler: e.restoreExperiment }],
  ['experiments/set-experiment-tag', { methods: POST, handler: e.setExperimentTag }],
  ['runs/create', { methods: POST, handler: r.createRun }],
  ['runs/get', { methods: GET, handler: r.getRun }],
  ['runs/update', { methods: POST, handler: r.updateRun }],
  ['runs/delete', { methods: POST, handler: r.deleteRun }],
  ['runs/restore', { methods: POST, handler: r.restoreRun }],
  ['runs/search', { methods: POST, handler: searchRuns }],
  ['runs/log-metric', { methods: POST, handler: r.logMetric }],
  ['runs/log-parameter', { methods: POST, handler: r.logParam }],
  ['runs/set-tag', { methods: POST, handler: r.setTag }],
  ['runs/delete-tag', { methods: POST, handler: r.deleteTag }],
  ['runs/log-batch', { methods: POST, handler: logBatch, endpointLimit: { bytes: ApiLimits.batchRequestBytes, message: serverMsg.batchTooLarge } }],
  ['artifacts/list', { methods: GET, handler: (ctx, fields) => ctx.artifacts().listRun(fields) }],
  ['metrics/get-history', { methods: GET, handler: getMetricHistory }],
  ['metrics/get-history-bulk-interval', { methods: GET, handler: getMetricHistoryBulkInterval }],
]);
