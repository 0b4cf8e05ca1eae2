import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArtifactEntry } from '../entities';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { ContentMismatch, copyVerified } from '../files/durable-file';
import { fileWriteError } from '../files/file-errors';
import { answeredOrQueued } from '../store/answered-or-queued';
import type { BlobRef, RemoteContent } from '../store/remote-content';
import type { TrackingStore } from '../store/store';
import { collectGarbage, type GcOptions, type GcResult } from './artifact-gc';
import { normalizeArtifactPath, normalizeArtifactPrefix } from './artifact-path';
import { planArtifacts, planDirectory, type ArtifactSource, type PendingArtifact } from './artifact-source';
import { ContentStore } from './content-store';
import { formatRunsUri, parseRunsUri } from './uri';

/** Where to download from: a `runs:/<run_id>/<path>` URI, or a run id and optional path. */
export type ArtifactLocation = string | { readonly runId: string; readonly path?: string };

function inside(child: string, parent: string): boolean {
  return child.startsWith(parent + path.sep);
}

/** Manifest paths were validated when logged; one that no longer is means the database was edited by hand. */
function assertCanonical(runId: string, artifactPath: string): void {
  let canonical: string | undefined;
  try {
    canonical = normalizeArtifactPath(artifactPath);
  } catch {
    canonical = undefined;
  }
  if (canonical !== artifactPath) {
    throw new TracklabError('INVALID_STATE',
      `The manifest of run ${runId} holds the unsafe path ${JSON.stringify(artifactPath)}, so nothing was downloaded. The store may have been edited by hand; remove that entry.`);
  }
}

/**
 * A run's manifest entries at or under `prefix`, sorted by path. The manifest
 * is in the store, so this needs no artifact root (a PostgreSQL store's
 * runs can be listed and shown without one).
 */
export async function listArtifactEntries(store: TrackingStore, runId: string, prefix?: string): Promise<ArtifactEntry[]> {
  const p = normalizeArtifactPrefix(prefix);
  const all = await store.listArtifacts(runId, p === '' ? undefined : p);
  return all
    .filter((e) => p === '' || e.path === p || e.path.startsWith(p + '/'))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Artifacts of runs: content-addressed blobs (see ContentStore) plus the
 * per-run manifest kept by the TrackingStore. The manifest row is written
 * only after its blob is in place, so a manifest never names missing content.
 */
export class ArtifactRepository {
  readonly store: TrackingStore;
  readonly content: ContentStore;

  /**
   * `artifactRoot`: the folder of the content store (see ContentStore).
   * `remote`: content kept by a tracking server, which `artifactRoot` then
   * caches: what is missing here is fetched from it on first read.
   */
  constructor(store: TrackingStore, artifactRoot: string, readonly remote?: RemoteContent) {
    this.store = store;
    this.content = new ContentStore(artifactRoot);
  }

  /** The local file of a blob, fetched from the server first when this repository has one and lacks the blob. */
  private async localBlob(blob: { readonly sha256: string; readonly size: number }, ref: BlobRef): Promise<string> {
    if (this.remote !== undefined && !(await this.content.has(blob.sha256))) {
      try {
        await this.content.putStream(await this.remote.open(blob.sha256, ref), blob);
      } catch (err) {
        // A digest mismatch says the transfer or the server's copy is bad; anything else (unreachable, refused) as it is.
        if (err instanceof TracklabError && err.code === 'INVALID_PARAMETER_VALUE') {
          throw new TracklabError('INVALID_STATE', `Artifact content ${blob.sha256} arrived damaged from the tracking server: ${err.message}`, { cause: err });
        }
        throw err;
      }
    }
    return this.content.resolveBlob(blob.sha256);
  }

  /**
   * The content store holding every one of `blobs`, fetching from the
   * server those it lacks (a registered version's files, for loadModel).
   */
  async localContent(blobs: readonly { readonly sha256: string; readonly size: number }[], ref: BlobRef): Promise<ContentStore> {
    // A local store leaves missing content to the caller, which says what the pin was for.
    if (this.remote !== undefined) for (const blob of blobs) await this.localBlob(blob, ref);
    return this.content;
  }

  /** The digests among `blobs` that the store (the server, for a remote one) does not hold. */
  async missingContent(blobs: readonly { readonly sha256: string }[], ref: BlobRef): Promise<string[]> {
    if (this.remote !== undefined) return this.remote.missing([...new Set(blobs.map((b) => b.sha256))], ref);
    const missing: string[] = [];
    for (const blob of blobs) if (!(await this.content.has(blob.sha256))) missing.push(blob.sha256);
    return missing;
  }

  /**
   * Logs a local file or folder, bytes, text or JSON to a run. A file keeps
   * its base name unless `artifactPath` (the file's path in the run) is
   * given; a folder is logged recursively under its base name (or under
   * `artifactPath`); bytes, `{ text }` and `{ json }` need `artifactPath`.
   * JSON is written with sorted keys and 2-space indent. Identical content is
   * stored once across all runs. Returns the manifest entries written.
   *
   * @example
   * await repo.logArtifact(runId, './confusion.png');                 // "confusion.png"
   * await repo.logArtifact(runId, './plots');                          // "plots/…"
   * await repo.logArtifact(runId, { json: { acc: 0.9 } }, 'eval.json');
   */
  async logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]> {
    return this.commit(runId, await planArtifacts(source, artifactPath));
  }

  /**
   * Logs every file under a local folder, at the run root or under
   * `artifactPath` (MLflow's `log_artifacts`). Symlinked folders are not followed;
   * a symlinked file is followed only when its real path stays inside `localDir` (one leading outside is refused).
   *
   * @example
   * await repo.logArtifacts(runId, './outputs', 'outputs');
   */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<ArtifactEntry[]> {
    return this.commit(runId, await planDirectory(localDir, artifactPath));
  }

  /**
   * Logs a stream of bytes (an upload) as the file `artifactPath` of a run:
   * written into the content store once, as it arrives (no staging copy), then
   * recorded. A stream that fails (the client left, a size limit) records nothing.
   *
   * @example
   * await repo.logStream(runId, req, 'model/model.onnx');
   */
  async logStream(runId: string, source: AsyncIterable<Uint8Array>, artifactPath: string): Promise<ArtifactEntry> {
    const p = normalizeArtifactPath(artifactPath);
    await this.loggableRun(runId);
    const blob = await this.content.put(source);
    const entry: ArtifactEntry = { path: p, sha256: blob.sha256, size: blob.size };
    await this.store.putArtifacts(runId, [entry]);
    // Only a forced gc (no grace period) racing this upload can take the fresh blob away; a stream cannot be read twice.
    if (!(await this.content.has(blob.sha256))) {
      throw new TracklabError('INVALID_STATE', `A gc removed the content of "${p}" while it was being uploaded to run ${runId}. Upload it again.`);
    }
    return entry;
  }

  private async loggableRun(runId: string): Promise<void> {
    const run = await this.store.getRun(runId);
    if (run.info.lifecycleStage === 'deleted') {
      throw new TracklabError('INVALID_STATE',
        `Run ${run.info.runName} (${runId}) is deleted, so artifacts cannot be logged to it. Restore the run first, or log to a new run.`);
    }
  }

  private async commit(runId: string, pending: readonly PendingArtifact[]): Promise<ArtifactEntry[]> {
    // A server checks when the write arrives (blob-api.ts), so logging goes on while it does not answer.
    if (this.remote === undefined) await this.loggableRun(runId);
    const entries: ArtifactEntry[] = [];
    for (const item of pending) {
      const blob = await this.content.put(item.source);
      entries.push({ path: item.path, sha256: blob.sha256, size: blob.size });
    }
    if (entries.length === 0) return entries;
    const recorded = this.store.putArtifacts(runId, entries);
    if (this.remote !== undefined) {
      // During an outage the content waits in the local artifact cache and the manifest in the outbox: both go when the server is back.
      const refusedLater = (err: unknown) => console.warn(msg.artifactsRefusedLater(runId, entries.map((e) => e.path), err instanceof Error ? err.message : String(err)));
      if (await answeredOrQueued(this.store, recorded, refusedLater) === 'queued') return entries;
    } else {
      await recorded;
    }
    // A gc that ran between put and the manifest write may have moved the blob away (see artifact-gc.ts).
    for (let i = 0; i < entries.length; i++) {
      if (await this.content.has(entries[i].sha256)) continue;
      const again = await this.content.put(pending[i].source);
      if (again.sha256 !== entries[i].sha256) {
        throw new TracklabError('INVALID_STATE',
          `The local file ${String(pending[i].source)} changed while it was being logged as "${entries[i].path}". Log it again once it is no longer being written.`);
      }
    }
    return entries;
  }

  /**
   * The manifest of a run, optionally only the file `prefix` or the folder
   * `prefix/…`, sorted by path.
   *
   * @example
   * (await repo.listArtifacts(runId, 'plots')).map((a) => a.path); // ['plots/acc.png', 'plots/loss.png']
   */
  async listArtifacts(runId: string, prefix?: string): Promise<ArtifactEntry[]> {
    return listArtifactEntries(this.store, runId, prefix);
  }

  private async entry(runId: string, artifactPath: string): Promise<ArtifactEntry> {
    const p = normalizeArtifactPath(artifactPath);
    const found = await this.listArtifacts(runId, p);
    const exact = found.find((e) => e.path === p);
    if (exact) return exact;
    throw new TracklabError(found.length > 0 ? 'INVALID_PARAMETER_VALUE' : 'RESOURCE_DOES_NOT_EXIST',
      found.length > 0
        ? `"${p}" is a folder of ${found.length} artifacts on run ${runId}, not a file. Open one of its files, or use downloadArtifacts.`
        : `Run ${runId} has no artifact "${p}". listArtifacts(runId) shows what it has.`);
  }

  /**
   * Reads one artifact file into memory.
   *
   * @example
   * const metrics = JSON.parse((await repo.openArtifact(runId, 'eval.json')).toString('utf8'));
   */
  async openArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    const entry = await this.entry(runId, artifactPath);
    await this.localBlob(entry, { runId });
    return this.content.read(entry.sha256);
  }

  /**
   * The on-disk path of an artifact's content, for tools that need a file
   * name. The file is shared by every run that logged the same bytes: read
   * it, never write it (it is read-only on disk).
   *
   * @example
   * const onnxPath = await repo.artifactLocalPath(runId, 'model/model.onnx');
   */
  async artifactLocalPath(runId: string, artifactPath: string): Promise<string> {
    return this.localBlob(await this.entry(runId, artifactPath), { runId });
  }

  /**
   * Copies an artifact file or folder (or a whole run) to `dest` (default: a
   * new temp folder), keeping artifact paths under it, and returns the local
   * path of what was asked for. Every path is validated again, so a tampered
   * manifest cannot write outside `dest`.
   *
   * @example
   * const dir = await repo.downloadArtifacts(`runs:/${runId}/plots`, './out'); // './out/plots'
   */
  async downloadArtifacts(location: ArtifactLocation, dest?: string): Promise<string> {
    const { runId, path: root } = typeof location === 'string'
      ? parseRunsUri(location)
      : { runId: location.runId, path: normalizeArtifactPrefix(location.path) };
    const entries = await this.listArtifacts(runId, root);
    if (entries.length === 0) {
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
        root === '' ? `Run ${runId} has no artifacts to download.` : `Run ${runId} has no artifact or folder "${root}". listArtifacts(runId) shows what it has.`);
    }
    const destDir = dest === undefined
      ? await fs.promises.mkdtemp(path.join(os.tmpdir(), 'tracklab-artifacts-'))
      : path.resolve(dest);
    try {
      await fs.promises.mkdir(destDir, { recursive: true });
      const realDest = fs.realpathSync(destDir);
      for (const entry of entries) assertCanonical(runId, entry.path);
      for (const entry of entries) await this.copyOut(runId, entry, realDest);
    } catch (error) {
      throw fileWriteError(error, `download ${formatRunsUri(runId, root)}`, destDir);
    }
    return root === '' ? destDir : path.join(destDir, ...root.split('/'));
  }

  private async copyOut(runId: string, entry: ArtifactEntry, realDest: string): Promise<void> {
    const target = path.join(realDest, ...entry.path.split('/'));
    const dir = path.dirname(target);
    await fs.promises.mkdir(dir, { recursive: true });
    const realDir = fs.realpathSync(dir);
    if (!inside(target, realDest) || (realDir !== realDest && !inside(realDir, realDest))) {
      throw new TracklabError('INVALID_STATE',
        `Downloading "${entry.path}" would write outside ${realDest} (a folder on the way is a symlink to ${realDir}). Download to an empty folder.`);
    }
    const blob = await this.localBlob(entry, { runId });
    // Staged beside the target, then renamed: a symlink already at the target is replaced, never followed.
    try {
      await copyVerified(blob, target, entry);
    } catch (error) {
      if (!(error instanceof ContentMismatch)) throw fileWriteError(error, `download "${entry.path}" of run ${runId}`, target);
      throw new TracklabError('INVALID_STATE',
        `Artifact "${entry.path}" of run ${runId} is damaged in the store (${error.got} on disk, the manifest says ${error.expected}). `
        + 'Nothing was written for it. Run "tracklab doctor" to find other damage, and log the file again.', { cause: error });
    }
  }

  /**
   * Purges deleted runs, then removes content that nothing references any
   * more (plus temp files older than an hour). Unreferenced content younger
   * than `graceMs` (60 s) stays unless `force`. Safe next to concurrent
   * writers; see artifact-gc.ts for the argument.
   *
   * @example
   * const { purgedRuns, removedBlobs, freedBytes } = await repo.gc();
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    return collectGarbage(this.store, this.content, options);
  }
}
