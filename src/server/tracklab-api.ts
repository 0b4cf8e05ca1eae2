/**
 * tracklab's own API beside MLflow's, versioned under /api/tracklab/v1/:
 * what the remote store (src/store/http/) needs and MLflow's REST API
 * cannot say exactly.
 * - `POST metrics/blocks`: points as column blocks, in tracklab's compact
 *   binary frames (column-frames.ts; one or several, applied in order) or an
 *   Arrow IPC stream (with `?batch_id=`), under a batch id: sending a batch
 *   again never duplicates.
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
import type { ArtifactEntry, EncodedMetricBlock, MetricColumns } from '../entities';
import type { ContentStore } from '../artifacts/content-store';
import { BlockScratch, blockLength, decodeReceivedBlock } from '../metrics/block-codec';
import { checkReceivedBlocks } from '../metrics/received-block';
import { TracklabError } from '../errors';
import { columnsFromHistory } from '../metrics/arrow-history-columns';
import { historyTable } from '../metrics/arrow-history';
import type { RegistryStore } from '../store/registry-store';
import type { NewRun, RunOwner, TrackingStore } from '../store/store';
import type { Experiment } from '../entities';
import { isTracklabError } from '../errors';
import { msg } from '../messages';
import { validateBatchId, validateExperimentName, validateExperimentRef, validateKey } from '../validation';
import { batchSequence } from '../store/batch-sequence';
import { MAX_JOINED_FRAMES, OLDEST_BLOCK_UPLOADS, blockUploadsJson, type BlockUploads } from '../store/http/block-uploads';
import { COLUMNS_MEDIA_TYPE, checkContentHashes, readColumnFrames } from '../store/http/column-frames';
import { fromWireJson, toWireJson } from '../store/http/wire-json';
import { asTracklabError } from '../tracking/client-errors';
import { isOwnerAlive } from '../tracking/lifecycle';
import { HttpError, errorResponse } from './http-error';
import { readWholeBody } from './read-request';
import { authorizeBlocks, authorizeHistory, authorizeTracklabCall, type TracklabCallContext } from './auth/tracklab-api-access';
import { checkCall } from './call-schema';
import { REGISTRY_CALLS } from './call-schemas-registry';
import { TRACKING_CALLS, requireOwnBlocks } from './call-schemas-tracking';
import { ARTIFACTS_ROUTE, handleArtifactContent, type BlobApiDeps } from './blob-api';
import { serverMsg } from './messages';

export const TRACKLAB_PREFIX = '/api/tracklab/v1/';
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

export interface TracklabApiDeps {
  readonly tracking: TrackingStore;
  readonly registry: () => RegistryStore;
  readonly maxBodyBytes: number;
  /** The server's artifact content (its --artifacts-destination), against which manifest entries are checked. */
  readonly content: ContentStore | undefined;
  /** With --auth: the signed-in user's permissions, which every call is checked against (auth/tracklab-api-access.ts). */
  readonly authorization?: TracklabCallContext;
  /** Takes the server's folders out of error answers (path-redactor.ts). */
  readonly redact: (text: string) => string;
  /** Which block uploads this server takes (block-uploads.ts); undefined acts as a server from before the capabilities endpoint (tests). */
  readonly blockUploads: BlockUploads | undefined;
  /** Artifact content by sha256 (blob-api.ts). */
  readonly blobs: Omit<BlobApiDeps, 'tracking' | 'registry' | 'maxBodyBytes'>;
}

/** Answers one request below TRACKLAB_PREFIX. Unexpected failures are rethrown for the server's 500 and log. */
export async function handleTracklabApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TracklabApiDeps): Promise<void> {
  const route = url.pathname.slice(TRACKLAB_PREFIX.length);
  try {
    if (route === 'metrics/blocks') return await uploadBlocks(req, res, url, deps);
    if (route === 'capabilities' && deps.blockUploads !== undefined) {
      requireMethod(req, 'GET', url.pathname);
      return sendBody(res, 200, 'application/json', blockUploadsJson(deps.blockUploads));
    }
    if (route === 'metrics/history') return await sendHistory(req, res, url, deps);
    if (route.startsWith(ARTIFACTS_ROUTE)) {
      return await handleArtifactContent(req, res, route, url.searchParams, { ...deps.blobs, tracking: deps.tracking, registry: deps.registry, maxBodyBytes: deps.maxBodyBytes });
    }
    const [group, method, ...rest] = route.split('/');
    const calls = group === 'store' ? TRACKING_CALLS : group === 'registry' ? REGISTRY_CALLS : undefined;
    const params = method !== undefined && rest.length === 0 ? calls?.get(method) : undefined;
    if (params === undefined) throw new HttpError(404, 'ENDPOINT_NOT_FOUND', serverMsg.noEndpoint(url.pathname));
    requireMethod(req, 'POST', url.pathname);
    const body = await readWholeBody(req, deps.maxBodyBytes);
    const parsed = fromWireJson(body.toString('utf8') || '{"args":[]}') as { args?: unknown } | null;
    if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.args)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.callBodyShape());
    const args = checkCall(method!, params, parsed.args);
    if (group === 'store') requireOwnBlocks(method!, args);
    const granted = deps.authorization === undefined ? {} : await authorizeTracklabCall(group as 'store' | 'registry', method!, args, deps.authorization);
    let value = 'answer' in granted ? granted.answer : group === 'store'
      ? await callTracking(deps, method!, args)
      : await call(`${method}`, () => (deps.registry()[method as keyof RegistryStore] as (...a: unknown[]) => Promise<unknown>).apply(deps.registry(), args));
    if (granted.after !== undefined) value = granted.after(value);
    sendBody(res, 200, 'application/json', toWireJson({ value }));
  } catch (err) {
    const answer = errorResponse(err, deps.redact);
    if (!(err instanceof HttpError) && answer.status >= 500) throw err;
    const tracklabCode = err instanceof TracklabError ? err.code : answer.body.error_code;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    if (!req.complete) res.setHeader('connection', 'close');
    sendBody(res, answer.status, 'application/json', JSON.stringify({ ...answer.body, tracklab_code: tracklabCode }));
  }
}

async function callTracking(deps: TracklabApiDeps, method: string, args: unknown[]): Promise<unknown> {
  const store = deps.tracking;
  if (method === 'putArtifacts') await requireBlobs(deps.content, args[1] as readonly ArtifactEntry[]);
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

/** A manifest entry may only name content this server holds, at the size it has: otherwise a run would list files no one can download. */
async function requireBlobs(content: ContentStore | undefined, entries: readonly ArtifactEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (content === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.noArtifactsForManifest());
  for (const [i, e] of entries.entries()) {
    const size = await content.sizeOf(e.sha256);
    if (size === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.blobMissing(`entries[${i}]`, e.sha256));
    if (size !== e.size) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.blobSizeMismatch(`entries[${i}]`, e.size, size));
  }
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
  if (type === COLUMNS_MEDIA_TYPE) {
    // The frames' blocks are already in the stored form: the store checks them and keeps their bytes.
    const frames = readColumnFrames(body);
    const uploads = deps.blockUploads ?? OLDEST_BLOCK_UPLOADS;
    if (frames.length > 1 && !uploads.joined) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.blockUploadUnsupported('several frames in one request'));
    if (frames.length > MAX_JOINED_FRAMES) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tooManyFrames(frames.length, MAX_JOINED_FRAMES));
    for (const frame of frames) {
      const version = frame.contentHashes === undefined ? 'TLC1' : 'TLC2';
      if (!uploads.frames.includes(version)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.blockUploadUnsupported(`"${version}" frames`));
      requireBatchId(frame.batchId);
      // Before anything is authorized or stored: a damaged block refuses the whole upload.
      checkContentHashes(frame);
    }
    requireDistinctBatchIds(frames.map((f) => f.batchId));
    // appendMetricBatches checks every frame's blocks before it writes any; a store without it applies the frames one
    // by one, so a joined upload is checked whole first, and a bad block in a later frame refuses it before an
    // earlier frame is stored (nothing of it lands).
    if (frames.length > 1 && deps.tracking.appendMetricBatches === undefined) checkJoinedBlocks(frames.flatMap((f) => f.blocks));
    const blocks = frames.flatMap((f) => f.blocks);
    requireMetricKeys(blocks);
    if (deps.authorization !== undefined) await authorizeBlocks(blocks, deps.authorization);
    // Each frame under its own batch id, all or none: a refusal (a missing or deleted run) leaves nothing of the request,
    // and the sender learns which write it was by sending them one by one.
    await call('append metrics', () => appendFrames(deps.tracking, frames));
    const points = blocks.reduce((n, b) => n + blockLength(b.data), 0);
    sendBody(res, 200, 'application/json', JSON.stringify(frames.length === 1 ? { batch_id: frames[0]!.batchId, points } : { batch_ids: frames.map((f) => f.batchId), points }));
    return;
  }
  const batchId = url.searchParams.get('batch_id') ?? '';
  requireBatchId(batchId);
  // s:<sender>:<n> raises the server's mark for that sender (batch-sequence.ts): a hand-picked one could make it skip
  // a tracklab sender's later writes, so the public Arrow form may not use it.
  if (batchId.startsWith('s:')) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.reservedBatchId(batchId));
  let blocks: readonly MetricColumns[];
  try {
    blocks = columnsFromHistory(tableFromIPC(body));
  } catch (err) {
    throw asTracklabError(err, 'read the Arrow stream');
  }
  requireMetricKeys(blocks);
  if (deps.authorization !== undefined) await authorizeBlocks(blocks, deps.authorization);
  await call('append metrics', () => deps.tracking.appendMetrics(blocks, { batchId }));
  sendBody(res, 200, 'application/json', JSON.stringify({ batch_id: batchId, points: blocks.reduce((n, b) => n + b.values.length, 0) }));
}

function checkJoinedBlocks(blocks: readonly EncodedMetricBlock[]): void {
  try {
    checkReceivedBlocks(blocks);
  } catch (err) {
    throw asTracklabError(err, 'read a joined block upload');
  }
}

/** The keys logMetric would take: the stores keep any key, so names are checked where they come in. Steps and timestamps the stores check. */
function requireMetricKeys(blocks: readonly { readonly key: string }[]): void {
  for (const { key } of blocks) validateKey('Metric', key);
}

/** Present and well formed (an `s:` id exactly s:<sender>:<n>), checked for every frame before any is stored. */
function requireBatchId(batchId: string): void {
  if (batchId === '') throw new TracklabError('INVALID_PARAMETER_VALUE', 'A block upload needs a batch id (in the frame, or ?batch_id= with an Arrow stream), so that sending it again never duplicates points.');
  validateBatchId(batchId);
}

/**
 * A request whose frames repeat a batch id, or number one sender's writes out of order, is refused: tracklab's
 * senders never send one (each write has its own id, in order), and taking it would answer for points it skipped
 * (the later frame of a repeat, or an s:<sender>:<n> at or below the mark an earlier frame raised).
 */
function requireDistinctBatchIds(batchIds: readonly string[]): void {
  const seen = new Set<string>();
  const lastOf = new Map<string, number>();
  for (const batchId of batchIds) {
    if (seen.has(batchId)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.repeatedBatchId(batchId));
    seen.add(batchId);
    const seq = batchSequence(batchId);
    if (seq === undefined) continue;
    const last = lastOf.get(seq.sender);
    if (last !== undefined && seq.n <= last) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.sequenceOutOfOrder(batchId, last));
    lastOf.set(seq.sender, seq.n);
  }
}

/**
 * The frames of one request, in order, in one store transaction (appendMetricBatches). A store without it gets the
 * runs of every frame checked first, so a missing or deleted run refuses the request before any frame is stored.
 */
async function appendFrames(store: TrackingStore, frames: readonly { batchId: string; blocks: readonly EncodedMetricBlock[] }[]): Promise<void> {
  if (frames.length === 1) return appendEncoded(store, frames[0]!.blocks, frames[0]!.batchId);
  if (store.appendMetricBatches !== undefined) return store.appendMetricBatches(frames);
  for (const runId of new Set(frames.flatMap((f) => f.blocks.map((b) => b.runId)))) {
    const run = await store.getRun(runId);
    if (run.info.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.runDeletedNoLogging(run.info.runName, runId));
  }
  for (const frame of frames) await appendEncoded(store, frame.blocks, frame.batchId);
}

/** Through the store's appendMetricBlocks; a store without it gets the blocks decoded (checked as that method would). */
function appendEncoded(store: TrackingStore, blocks: readonly EncodedMetricBlock[], batchId: string): Promise<void> {
  if (store.appendMetricBlocks !== undefined) return store.appendMetricBlocks(blocks, { batchId });
  const columns = blocks.map(({ runId, key, data }) => ({ runId, key, ...decodeReceivedBlock(data, new BlockScratch(), `Metric "${key}" of run ${runId}`) }));
  return store.appendMetrics(columns, { batchId });
}

async function sendHistory(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TracklabApiDeps): Promise<void> {
  requireMethod(req, 'GET', url.pathname);
  const runIds = url.searchParams.getAll('run_id');
  if (runIds.length === 0) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.missingField('run_id'));
  if (deps.authorization !== undefined) await authorizeHistory(runIds, deps.authorization);
  const keys = url.searchParams.getAll('key');
  const blocks = await call('read metric history', () => deps.tracking.readMetrics(runIds, keys.length > 0 ? keys : undefined));
  sendBody(res, 200, ARROW_STREAM_TYPE, Buffer.from(tableToIPC(historyTable(blocks), 'stream')));
}

function requireMethod(req: http.IncomingMessage, method: string, path: string): void {
  if (req.method !== method) throw new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(path, req.method ?? '', [method]), { allow: method });
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
