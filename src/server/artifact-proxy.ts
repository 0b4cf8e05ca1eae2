/**
 * MLflow's artifact proxy (mlflow_artifacts.proto, the routes behind
 * `mlflow server --artifacts-destination`) over tracklab's content-addressed
 * artifacts:
 * - `PUT    /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>` uploads a file;
 * - `GET    /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>` downloads it;
 * - `GET    /api/2.0/mlflow-artifacts/artifacts?path=<exp>/<run>/artifacts/<dir>` lists a folder;
 * and the tracking API's `GET /api/2.0/mlflow/artifacts/list?run_id=…&path=…`.
 *
 * A proxy path is `<experiment id>/<run id>/artifacts/<path in the run>`, the
 * layout MLflow's clients derive from a run's `artifact_uri`. The path in the
 * run goes through tracklab's one artifact-path validator
 * (`normalizeArtifactPath`: decoded until stable, then `..`, absolute paths,
 * drive letters, backslashes, NUL, `#`, `?` and `;` refused) on the raw
 * request target, before the URL parser could fold dot segments away. It
 * only ever names a manifest entry: files on disk are named by their sha256,
 * so no request path reaches the file system.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArtifactRepository } from '../artifacts/artifact-repository';
import { normalizeArtifactPath, normalizeArtifactPrefix } from '../artifacts/artifact-path';
import type { ArtifactEntry } from '../entities';
import { TracklabError } from '../errors';
import type { TrackingStore } from '../store/store';
import { validateRunId } from '../validation';
import { HttpError } from './http-error';
import { serverMsg } from './messages';
import { RequestFields } from './request-fields';
import { runIdOf } from './run-id-field';

export const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts';

export interface FileInfo {
  readonly path: string;
  readonly is_dir: boolean;
  readonly file_size?: number;
}

/** The direct children of folder `dir` ('' for the run root) among a run's manifest entries. */
export function childrenOf(entries: readonly ArtifactEntry[], dir: string): { name: string; isDir: boolean; size?: number }[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const seen = new Map<string, { name: string; isDir: boolean; size?: number }>();
  for (const e of entries) {
    if (!e.path.startsWith(prefix)) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (slash < 0) seen.set(name, { name, isDir: false, size: e.size });
    else if (!seen.has(name)) seen.set(name, { name, isDir: true });
  }
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface ProxyPath {
  readonly runId: string;
  /** Path inside the run; '' for the run root. */
  readonly runPath: string;
}

export class ArtifactProxy {
  private readonly repo: ArtifactRepository;

  constructor(private readonly store: TrackingStore, root: string, private readonly maxUploadBytes: number) {
    this.repo = new ArtifactRepository(store, root);
  }

  /** Answers a request under ARTIFACTS_PREFIX; `rawPath` is the request target's path, still percent-encoded. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string, query: URLSearchParams): Promise<object | undefined> {
    const rest = rawPath.slice(ARTIFACTS_PREFIX.length);
    if (rest === '' || rest === '/') {
      if (req.method !== 'GET') throw new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(ARTIFACTS_PREFIX, req.method ?? '', ['GET']), { allow: 'GET' });
      return this.list(RequestFields.fromQuery(query).string('path') ?? '');
    }
    const target = await this.resolve(rest.slice(1), false);
    if (req.method === 'PUT') return this.upload(req, target);
    if (req.method === 'GET') return this.download(res, target);
    throw new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(`${ARTIFACTS_PREFIX}/…`, req.method ?? '', ['GET', 'PUT']), { allow: 'GET, PUT' });
  }

  /** The tracking API's ListArtifacts: run-relative paths, and the run's artifact root URI. */
  async listRun(fields: RequestFields): Promise<object> {
    const runId = runIdOf(fields);
    const dir = normalizeArtifactPrefix(fields.string('path') ?? '');
    const run = await this.store.getRun(runId);
    const files = childrenOf(await this.repo.listArtifacts(runId, dir || undefined), dir)
      .map((c) => fileInfo(dir === '' ? c.name : `${dir}/${c.name}`, c));
    const out: Record<string, unknown> = { root_uri: `mlflow-artifacts:/${run.info.experimentId}/${runId}/artifacts` };
    if (files.length > 0) out.files = files;
    return out;
  }

  private async list(rawPath: string): Promise<object> {
    if (rawPath === '') return {};
    const target = await this.resolve(rawPath, true);
    const files = childrenOf(await this.repo.listArtifacts(target.runId, target.runPath || undefined), target.runPath).map((c) => fileInfo(c.name, c));
    return files.length > 0 ? { files } : {};
  }

  /** `<exp>/<run>/artifacts[/<path>]` → the run (which must be in that experiment) and the path in it. */
  private async resolve(raw: string, allowRoot: boolean): Promise<ProxyPath> {
    const normal = normalizeArtifactPath(raw);
    const [experimentId, runId, artifacts, ...rest] = normal.split('/');
    if (experimentId === undefined || runId === undefined || artifacts !== 'artifacts') {
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.proxyPathShape(normal));
    }
    validateRunId(runId);
    const runPath = rest.join('/');
    if (runPath === '' && !allowRoot) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.proxyPathIsFolder());
    const run = await this.store.getRun(runId);
    if (run.info.experimentId !== experimentId) {
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.runNotInExperiment(runId, experimentId));
    }
    return { runId, runPath };
  }

  /** Streams the body into the content store once, hashing on the way (no staging copy: the disk needs the file's size once). */
  private async upload(req: http.IncomingMessage, target: ProxyPath): Promise<object> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxUploadBytes) throw this.tooLarge();
    const limit = this.maxUploadBytes;
    const tooLarge = () => this.tooLarge();
    async function* bounded(): AsyncIterable<Uint8Array> {
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw tooLarge();
        yield chunk;
      }
      if (!req.complete) throw new HttpError(400, 'BAD_REQUEST', serverMsg.bodyAborted());
    }
    await this.repo.logStream(target.runId, bounded(), target.runPath);
    return {};
  }

  private async download(res: http.ServerResponse, target: ProxyPath): Promise<undefined> {
    const file = await this.repo.artifactLocalPath(target.runId, target.runPath);
    const { size } = await fs.promises.stat(file);
    const name = path.posix.basename(target.runPath).replace(/[^\w.\- ]/g, '_');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
      // Always a download, never a page of this origin: an uploaded HTML or SVG file must not run here.
      'content-disposition': `attachment; filename="${name}"`,
      'content-security-policy': "sandbox; default-src 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    await pipeline(fs.createReadStream(file), res);
    return undefined;
  }

  private tooLarge(): HttpError {
    return new HttpError(413, 'BAD_REQUEST', serverMsg.artifactTooLarge(this.maxUploadBytes), { connection: 'close' });
  }
}

function fileInfo(p: string, child: { isDir: boolean; size?: number }): FileInfo {
  return child.isDir ? { path: p, is_dir: true } : { path: p, is_dir: false, file_size: child.size };
}
