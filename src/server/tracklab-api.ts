/**
 * tracklab's own API beside MLflow's, versioned under /api/tracklab/v1/:
 * what the remote store (src/store/http/) needs and MLflow's REST API
 * cannot say exactly.
 * - `POST metrics/blocks`: points as column blocks, in tracklab's compact
 *   binary frame (column-frames.ts) or an Arrow IPC stream (with
 *   `?batch_id=`), under a batch id: sending a batch again never duplicates.
 * - `GET metrics/history?run_id=…&key=…`: history as an Arrow IPC stream,
 *   any number of runs and keys (none: every key).
 * - `artifacts/missing`, `artifacts/blobs/<sha256>`: artifact content, sent once (blob-api.ts).
 * - `POST store/<method>`, `POST registry/<method>`: one call of the store
 *   contracts (store.ts, registry-store.ts), arguments and answer in wire
 *   JSON (wire-json.ts), for what MLflow's API has no exact form for: run
 *   owners and liveness, client-chosen run ids, write-once batches, cells,
 *   content pins of model versions, NaN and -0 in summaries.
 * Errors keep MLflow's shape, plus `tracklab_code` (MLflow folds INVALID_STATE into INVALID_PARAMETER_VALUE).
 */
import type * as http from 'node:http';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import type { MetricColumns } from '../entities';
import { TracklabError } from '../errors';
import { columnsFromHistory } from '../metrics/arrow-history-columns';
import { historyTable } from '../metrics/arrow-history';
import type { RegistryStore } from '../store/registry-store';
import type { NewRun, RunOwner, TrackingStore } from '../store/store';
import type { Experiment } from '../entities';
import { isTracklabError } from '../errors';
import { msg } from '../messages';
import { validateExperimentName, validateExperimentRef } from '../validation';
import { COLUMNS_MEDIA_TYPE, decodeColumnFrame } from '../store/http/column-frames';
import { fromWireJson, toWireJson } from '../store/http/wire-json';
import { asTracklabError } from '../tracking/client-errors';
import { isOwnerAlive } from '../tracking/lifecycle';
import { HttpError, errorResponse } from './http-error';
import { readWholeBody } from './read-request';
import { ARTIFACTS_ROUTE, handleArtifactContent, type BlobApiDeps } from './blob-api';
import { serverMsg } from './messages';

export const TRACKLAB_PREFIX = '/api/tracklab/v1/';
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** Store methods callable as `store/<method>` (appendMetrics and readMetrics have their own endpoints). */
const TRACKING_METHODS: ReadonlySet<string> = new Set([
  'createExperiment', 'getExperiment', 'ensureExperiment', 'searchExperiments', 'updateExperiment', 'setExperimentTags', 'setExperimentLifecycle',
  'createRun', 'getRun', 'updateRun', 'setRunLifecycle', 'purgeDeletedRuns', 'logBatch', 'searchRuns', 'countRuns', 'heartbeat',
  'putArtifacts', 'listArtifacts', 'referencedBlobs', 'recordCell', 'listCells', 'logInputs', 'listInputs',
]);

const REGISTRY_METHODS: ReadonlySet<string> = new Set([
  'createRegisteredModel', 'getRegisteredModel', 'renameRegisteredModel', 'updateRegisteredModel', 'deleteRegisteredModel', 'searchRegisteredModels',
  'createModelVersion', 'getModelVersion', 'getLatestModelVersion', 'updateModelVersion', 'deleteModelVersion', 'listModelVersionFiles',
  'searchModelVersions', 'setAlias', 'deleteAlias', 'getModelVersionByAlias',
]);

export interface TracklabApiDeps {
  readonly tracking: TrackingStore;
  readonly registry: () => RegistryStore;
  readonly maxBodyBytes: number;
  /** Artifact content by sha256 (blob-api.ts). */
  readonly blobs: Omit<BlobApiDeps, 'tracking' | 'registry' | 'maxBodyBytes'>;
}

/** Answers one request below TRACKLAB_PREFIX. Unexpected failures are rethrown for the server's 500 and log. */
export async function handleTracklabApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TracklabApiDeps): Promise<void> {
  const route = url.pathname.slice(TRACKLAB_PREFIX.length);
  try {
    if (route === 'metrics/blocks') return await uploadBlocks(req, res, url, deps);
    if (route === 'metrics/history') return await sendHistory(req, res, url, deps);
    if (route.startsWith(ARTIFACTS_ROUTE)) {
      return await handleArtifactContent(req, res, route, url.searchParams, { ...deps.blobs, tracking: deps.tracking, registry: deps.registry, maxBodyBytes: deps.maxBodyBytes });
    }
    const [group, method, ...rest] = route.split('/');
    const methods = group === 'store' ? TRACKING_METHODS : group === 'registry' ? REGISTRY_METHODS : undefined;
    const special = group === 'store' && (method === 'reapOwners' || method === 'reapCrashedRuns' || method === 'createRunIn');
    if (methods === undefined || method === undefined || rest.length > 0 || (!methods.has(method) && !special)) {
      throw new HttpError(404, 'ENDPOINT_NOT_FOUND', serverMsg.noEndpoint(url.pathname));
    }
    requireMethod(req, 'POST', url.pathname);
    const body = await readWholeBody(req, deps.maxBodyBytes);
    const args = fromWireJson(body.toString('utf8') || '{"args":[]}') as { args?: unknown };
    if (!Array.isArray(args.args)) throw new TracklabError('INVALID_PARAMETER_VALUE', 'The body must be {"args": [...]}, the arguments of the call in order.');
    const value = group === 'store'
      ? await callTracking(deps.tracking, method, args.args)
      : await call(`${method}`, () => (deps.registry()[method as keyof RegistryStore] as (...a: unknown[]) => Promise<unknown>).apply(deps.registry(), args.args as unknown[]));
    sendBody(res, 200, 'application/json', toWireJson({ value }));
  } catch (err) {
    const answer = errorResponse(err);
    if (!(err instanceof HttpError) && answer.status >= 500) throw err;
    const tracklabCode = err instanceof TracklabError ? err.code : answer.body.error_code;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (!req.complete) res.setHeader('connection', 'close');
    sendBody(res, answer.status, 'application/json', JSON.stringify({ ...answer.body, tracklab_code: tracklabCode }));
  }
}

async function callTracking(store: TrackingStore, method: string, args: unknown[]): Promise<unknown> {
  if (method === 'reapOwners') return call('find run owners', () => reapOwners(store));
  if (method === 'createRunIn') {
    const [ref, run] = args as [string, Omit<NewRun, 'experimentId'>];
    return call('create the run', () => createRunIn(store, ref, run));
  }
  if (method === 'reapCrashedRuns') {
    const [staleAfterMs, options, judged, alive] = args as [number, { dryRun?: boolean } | undefined, RunOwner[], RunOwner[]];
    const judgedKeys = new Set((judged ?? []).map(ownerKey));
    const aliveKeys = new Set((alive ?? []).map(ownerKey));
    // Owners the client judged (its own host) by its answer; the others as this server's host sees them.
    const isAlive = (o: RunOwner) => (judgedKeys.has(ownerKey(o)) ? aliveKeys.has(ownerKey(o)) : isOwnerAlive(o));
    return call('reap crashed runs', () => store.reapCrashedRuns(isAlive, Number(staleAfterMs), { dryRun: options?.dryRun === true }));
  }
  const fn = store[method as keyof TrackingStore] as ((...a: unknown[]) => Promise<unknown>) | undefined;
  if (typeof fn !== 'function') throw new HttpError(404, 'ENDPOINT_NOT_FOUND', `This store has no ${method}.`);
  return call(method, () => fn.apply(store, args));
}

/** The experiment `ref` names (by id, else by name, created when missing; never a deleted one), then the run in it. */
async function createRunIn(store: TrackingStore, ref: string, run: Omit<NewRun, 'experimentId'>): Promise<unknown> {
  validateExperimentRef(ref);
  let exp: Experiment;
  try {
    exp = await store.getExperiment(ref);
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    validateExperimentName(ref);
    exp = await store.ensureExperiment(ref);
  }
  if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
  return store.createRun({ ...run, experimentId: exp.experimentId });
}

/** The owners of RUNNING runs that the store would ask about (its own host's), found by a dry run that asks and changes nothing. */
async function reapOwners(store: TrackingStore): Promise<RunOwner[]> {
  const owners: RunOwner[] = [];
  await store.reapCrashedRuns((o) => { owners.push(o); return true; }, Number.MAX_SAFE_INTEGER, { dryRun: true });
  return owners;
}

export function ownerKey(o: RunOwner): string {
  return JSON.stringify([o.pid, o.host, o.processStart]);
}

async function uploadBlocks(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TracklabApiDeps): Promise<void> {
  requireMethod(req, 'POST', url.pathname);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== COLUMNS_MEDIA_TYPE && type !== ARROW_STREAM_TYPE) {
    throw new HttpError(415, 'INVALID_PARAMETER_VALUE', `Send metric blocks as ${COLUMNS_MEDIA_TYPE} or ${ARROW_STREAM_TYPE}, not ${JSON.stringify(type)}.`);
  }
  const body = await readWholeBody(req, deps.maxBodyBytes);
  let batchId: string | undefined;
  let blocks: readonly MetricColumns[];
  if (type === COLUMNS_MEDIA_TYPE) {
    ({ batchId, blocks } = decodeColumnFrame(body));
  } else {
    batchId = url.searchParams.get('batch_id') ?? undefined;
    try {
      blocks = columnsFromHistory(tableFromIPC(body));
    } catch (err) {
      throw asTracklabError(err, 'read the Arrow stream');
    }
  }
  if (batchId === undefined || batchId === '') throw new TracklabError('INVALID_PARAMETER_VALUE', 'A block upload needs a batch id (in the frame, or ?batch_id= with an Arrow stream), so that sending it again never duplicates points.');
  await call('append metrics', () => deps.tracking.appendMetrics(blocks, { batchId }));
  sendBody(res, 200, 'application/json', JSON.stringify({ batch_id: batchId, points: blocks.reduce((n, b) => n + b.values.length, 0) }));
}

async function sendHistory(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TracklabApiDeps): Promise<void> {
  requireMethod(req, 'GET', url.pathname);
  const runIds = url.searchParams.getAll('run_id');
  if (runIds.length === 0) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.missingField('run_id'));
  const keys = url.searchParams.getAll('key');
  const blocks = await call('read metric history', () => deps.tracking.readMetrics(runIds, keys.length > 0 ? keys : undefined));
  sendBody(res, 200, ARROW_STREAM_TYPE, Buffer.from(tableToIPC(historyTable(blocks), 'stream')));
}

function requireMethod(req: http.IncomingMessage, method: string, path: string): void {
  if (req.method !== method) throw new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(path, [method]), { allow: method });
}

async function call<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw asTracklabError(err, what);
  }
}

function sendBody(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
