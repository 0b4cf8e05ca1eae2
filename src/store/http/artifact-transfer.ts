/**
 * Artifacts between a client and a tracklab server that share no folder
 * (the server's side is src/server/blob-api.ts). Content is addressed by
 * sha256 at both ends:
 * - logging puts the content into this machine's artifact cache first (the
 *   backend's defaultArtifactRoot: a snapshot, hashed as it is copied), and
 *   the manifest (`putArtifacts`) joins the outbox as one `artifacts` write.
 *   The sender delivers it in order, like every write: it asks which blobs
 *   the server lacks (one request), streams each cached file up (PUT), hashed
 *   again by the server, which stores it only if the digest matches; then
 *   the manifest is recorded. Content the server has is never sent again,
 *   and a manifest is never recorded before its content is there. An outage
 *   only delays this (the write stays first in the outbox and is retried);
 *   a process that exits first leaves it for `tracklab sync`.
 * - reading content that is not in the cache streams it down, verifying the
 *   digest before it is kept (ContentStore.putStream).
 */
import * as path from 'node:path';
import { ContentStore, isSha256 } from '../../artifacts/content-store';
import type { ArtifactEntry } from '../../entities';
import { TracklabError } from '../../errors';
import type { BlobRef, RemoteContent } from '../remote-content';
import { outboxFolder } from '../sqlite/outbox-file';
import { httpMsg } from './http-messages';
import { ServerUnreachable, type HttpTransport } from './http-transport';
import { fromWireJson } from './wire-json';

const BLOBS_PATH = '/api/tracklab/v1/artifacts/blobs/';
const MISSING_PATH = '/api/tracklab/v1/artifacts/missing';

/** This machine's artifact cache for tracking servers, beside the outbox folder: TRACKLAB_HOME/artifact-cache, else ~/.tracklab/artifact-cache. */
export function artifactCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(outboxFolder(env)), 'artifact-cache');
}

/** The artifact cache of the home an outbox file belongs to (HOME/outbox/<file> -> HOME/artifact-cache), for `tracklab sync` of another session's outbox. */
export function cacheBesideOutbox(outboxFile: string): string {
  return path.join(path.dirname(path.dirname(outboxFile)), 'artifact-cache');
}

function refQuery(ref: BlobRef): string {
  return 'runId' in ref ? `run_id=${encodeURIComponent(ref.runId)}` : `model=${encodeURIComponent(ref.model)}&version=${ref.version}`;
}

function blobUrl(sha256: string, ref: BlobRef): string {
  return `${BLOBS_PATH}${sha256}?${refQuery(ref)}`;
}

async function missingOn(transport: HttpTransport, sha256s: readonly string[], ref: BlobRef): Promise<string[]> {
  if (sha256s.length === 0) return [];
  const body = Buffer.from(JSON.stringify({ sha256: sha256s }));
  const answer = await transport.request('POST', `${MISSING_PATH}?${refQuery(ref)}`, body, 'application/json');
  return (JSON.parse(answer.toString('utf8')) as { missing: string[] }).missing;
}

/** Delivers one `artifacts` write of the outbox: the blobs the server lacks, then the manifest. Returns putArtifacts' answer. */
export async function deliverArtifacts(transport: HttpTransport, body: Buffer, cacheRoot: string): Promise<unknown> {
  const { runId, entries } = fromWireJson(body.toString('utf8')) as { runId: string; entries: ArtifactEntry[] };
  const cache = new ContentStore(cacheRoot);
  // Entries that name no digest are the server's to refuse when the manifest is recorded.
  const sizes = new Map(entries.filter((e) => isSha256(e.sha256)).map((e) => [e.sha256, e.size]));
  for (const sha256 of await missingOn(transport, [...sizes.keys()], { runId })) {
    if (!(await cache.has(sha256))) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', httpMsg.contentMissing(sha256, runId, cache.root));
    await transport.upload(blobUrl(sha256, { runId }), cache.blobPath(sha256), sizes.get(sha256)!);
  }
  return transport.call('store', 'putArtifacts', [runId, entries]);
}

/** Content on the server, read on first use into the cache (see RemoteContent). */
export class HttpRemoteContent implements RemoteContent {
  constructor(private readonly transport: HttpTransport) {}

  async missing(sha256s: readonly string[], ref: BlobRef): Promise<string[]> {
    return this.reach(() => missingOn(this.transport, sha256s, ref));
  }

  async open(sha256: string, ref: BlobRef): Promise<AsyncIterable<Uint8Array>> {
    const stream = await this.reach(() => this.transport.download(blobUrl(sha256, ref)));
    const display = this.transport.display;
    return (async function* () {
      try {
        yield* stream;
      } catch (err) {
        if (err instanceof ServerUnreachable) throw new TracklabError('INTERNAL_ERROR', httpMsg.notReached(display, err.message), { cause: err });
        throw err;
      }
    })();
  }

  private async reach<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof ServerUnreachable) throw new TracklabError('INTERNAL_ERROR', httpMsg.notReached(this.transport.display, err.message), { cause: err });
      throw err;
    }
  }
}
