/**
 * Artifact content by sha256, for the remote store (src/store/http/): a
 * client that shares no folder with the server sends each blob once and
 * fetches what it lacks. Under /api/tracklab/v1/artifacts/:
 * - `POST missing?run_id=R` with `{"sha256": [...]}`: `{"missing": [...]}`,
 *   the digests the server does not hold (the check before an upload, one
 *   request per manifest: content the server has is never sent again);
 *   with `?model=NAME&version=V`: those the version does not pin, or pins
 *   but the server lacks (registering checks its content is there);
 * - `PUT blobs/<sha256>?run_id=R`: the bytes, streamed to a temp file and
 *   hashed; stored only when they hash to <sha256> (and match
 *   Content-Length), else 400 and nothing stored;
 * - `GET blobs/<sha256>?run_id=R` or `?model=NAME&version=V`: the bytes,
 *   when that run's manifest names the content or that version pins it
 *   (else 404), hashed again on the way out: a damaged blob ends the answer
 *   early, never as complete.
 * A reference always names a run or a version, so access is checked per
 * experiment or registered model: EDIT on the run's experiment to upload or
 * ask whether content exists, READ to download. (Asking whether content
 * exists tells a writer that someone stored those bytes before, the price of
 * content addressing across runs; it never hands out bytes the asker could
 * not read.) The manifest itself is recorded by `store/putArtifacts`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { isSha256, type ContentStore } from '../artifacts/content-store';
import { TracklabError } from '../errors';
import type { RegistryStore } from '../store/registry-store';
import type { TrackingStore } from '../store/store';
import { validateRunId } from '../validation';
import { HttpError } from './http-error';
import { serverMsg } from './messages';
import { readWholeBody } from './read-request';

/** Every route of this module starts so (below /api/tracklab/v1/). */
export const ARTIFACTS_ROUTE = 'artifacts/';
/** Below /api/tracklab/v1/: a PUT here is an upload, held to a floor rate rather than a deadline (request-deadlines.ts). */
export const BLOBS_ROUTE = 'artifacts/blobs/';
const MISSING_ROUTE = 'artifacts/missing';
/** Digests one `missing` request may ask about. */
const MAX_DIGESTS = 10_000;

export interface BlobApiDeps {
  /** The server's content store; undefined when it serves no artifacts (INVALID_STATE). */
  readonly content: ContentStore | undefined;
  readonly tracking: TrackingStore;
  readonly registry: () => RegistryStore;
  readonly maxUploadBytes: number;
  readonly maxBodyBytes: number;
  /** Throws 403 unless the request's user holds `ability` on the resource (a no-op without --auth). */
  readonly authorize: (kind: 'experiment' | 'registered_model', id: string, ability: 'canRead' | 'canUpdate') => void;
}

type Ref = { readonly runId: string } | { readonly model: string; readonly version: number };

/** Answers a request for `route` (below /api/tracklab/v1/, starting with ARTIFACTS_ROUTE). Errors are thrown for the caller to answer. */
export async function handleArtifactContent(req: http.IncomingMessage, res: http.ServerResponse, route: string, query: URLSearchParams, deps: BlobApiDeps): Promise<void> {
  const method = req.method ?? 'GET';
  const missing = route === MISSING_ROUTE;
  const sha256 = route.startsWith(BLOBS_ROUTE) ? route.slice(BLOBS_ROUTE.length) : undefined;
  if (!missing && sha256 === undefined) throw new HttpError(404, 'ENDPOINT_NOT_FOUND', serverMsg.noEndpoint(`/api/tracklab/v1/${route}`));
  const allowed = missing ? ['POST'] : ['GET', 'PUT'];
  if (!allowed.includes(method)) throw new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(`/api/tracklab/v1/${route}`, method, allowed), { allow: allowed.join(', ') });
  if (sha256 !== undefined && !isSha256(sha256)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.notADigest(sha256));
  const content = deps.content;
  // A refusal, not a 503: a client would take a 503 for an outage and retry a write this server can never take.
  if (content === undefined) throw new TracklabError('INVALID_STATE', serverMsg.noArtifacts());
  const ref = refOf(query);
  const asked = missing ? await digestsOf(req, deps.maxBodyBytes) : [sha256!];
  if ('runId' in ref) {
    const run = await deps.tracking.getRun(ref.runId);
    deps.authorize('experiment', run.info.experimentId, method === 'GET' ? 'canRead' : 'canUpdate');
    // Asking before an upload is where a client logging to a deleted run learns of it.
    if (method !== 'GET' && run.info.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', serverMsg.runDeletedNoUpload(ref.runId));
    if (method === 'PUT') return upload(req, res, content, sha256!, deps.maxUploadBytes);
    if (missing) return sendJson(res, { missing: await absent(content, asked) });
    const entry = (await deps.tracking.listArtifacts(ref.runId)).find((e) => e.sha256 === sha256);
    if (entry === undefined) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.blobNotInRun(sha256!, ref.runId));
    return download(res, content, sha256!);
  }
  deps.authorize('registered_model', ref.model, 'canRead');
  if (method === 'PUT') throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.uploadNeedsRun());
  const pinned = new Set((await deps.registry().listModelVersionFiles(ref.model, ref.version)).map((f) => f.sha256));
  if (missing) return sendJson(res, { missing: [...asked.filter((d) => !pinned.has(d)), ...await absent(content, asked.filter((d) => pinned.has(d)))] });
  if (!pinned.has(sha256!)) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.blobNotInVersion(sha256!, ref.model, ref.version));
  return download(res, content, sha256!);
}

async function digestsOf(req: http.IncomingMessage, maxBodyBytes: number): Promise<string[]> {
  let body: { sha256?: unknown };
  try {
    body = JSON.parse((await readWholeBody(req, maxBodyBytes)).toString('utf8') || '{}') as typeof body;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.digestList(MAX_DIGESTS));
  }
  const list = body?.sha256;
  if (!Array.isArray(list) || list.length > MAX_DIGESTS || !list.every(isSha256)) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.digestList(MAX_DIGESTS));
  return [...new Set(list)];
}

async function absent(content: ContentStore, digests: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of digests) if (!(await content.has(d))) out.push(d);
  return out;
}

function refOf(query: URLSearchParams): Ref {
  const runId = query.get('run_id');
  if (runId !== null) {
    validateRunId(runId);
    return { runId };
  }
  const model = query.get('model');
  const version = Number(query.get('version'));
  if (model === null || model === '' || !Number.isSafeInteger(version) || version < 1) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.blobNeedsRef());
  }
  return { model, version };
}

async function upload(req: http.IncomingMessage, res: http.ServerResponse, content: ContentStore, sha256: string, maxBytes: number): Promise<void> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  const tooLarge = () => new HttpError(413, 'BAD_REQUEST', serverMsg.artifactTooLarge(maxBytes), { connection: 'close' });
  if (declared !== undefined && declared > maxBytes) throw tooLarge();
  const existed = await content.has(sha256);
  const blob = await content.putStream(req, { sha256, size: declared }, { maxBytes, tooLarge });
  const body = JSON.stringify({ sha256: blob.sha256, size: blob.size, stored: !existed });
  res.writeHead(existed ? 200 : 201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

async function download(res: http.ServerResponse, content: ContentStore, sha256: string): Promise<void> {
  const file = content.resolveBlob(sha256);
  const { size } = await fs.promises.stat(file);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': size,
    'x-tracklab-sha256': sha256,
    'content-security-policy': "sandbox; default-src 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  const hash = createHash('sha256');
  // Checked again on the way out, holding the last chunk back until the digest is known:
  // content damaged on disk ends the answer short, so no client takes it as whole.
  let held: Buffer | undefined;
  const verify = new Transform({
    transform(chunk: Buffer, _enc, done) { hash.update(chunk); const out = held; held = chunk; done(null, out); },
    flush(done) {
      if (hash.digest('hex') !== sha256) return done(new Error(`artifact content ${sha256} is damaged on disk`));
      done(null, held);
    },
  });
  await pipeline(fs.createReadStream(file), verify, res);
}

function sendJson(res: http.ServerResponse, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}
