/**
 * Turns a registered version's pinned files into a local model package
 * directory that loadModel can read: `<root>/registry-cache/<content hash>`.
 * The folder is built beside its final place and renamed in, so it is either
 * complete or absent, and processes racing to build it agree on one copy.
 * Keyed by content, so versions with identical content share it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeArtifactPath } from '../artifacts/artifact-path';
import { isSha256, type ContentStore } from '../artifacts/content-store';
import { TracklabError } from '../errors';
import { ContentMismatch, copyVerified } from '../files/durable-file';
import { fileWriteError } from '../files/file-errors';
import type { PinnedFile } from '../registry-entities';

export const CACHE_FOLDER = 'registry-cache';

/**
 * The local directory holding `files`, built on first use.
 *
 * @example
 * const dir = await materialize(content, version.contentHash, await store.listModelVersionFiles('churn', 3));
 */
export async function materialize(content: ContentStore, contentHash: string, files: readonly PinnedFile[]): Promise<string> {
  if (!isSha256(contentHash)) {
    throw new TracklabError('INVALID_STATE', `The registry holds the malformed content hash ${JSON.stringify(contentHash)}; the store may have been edited by hand.`);
  }
  const cache = path.join(content.root, CACHE_FOLDER);
  const target = path.join(cache, contentHash);
  if (complete(target, files)) return target;
  await fs.promises.mkdir(cache, { recursive: true });
  const work = path.join(cache, `.${contentHash.slice(0, 12)}-${process.pid}-${randomBytes(4).toString('hex')}.part`);
  try {
    await fs.promises.mkdir(work);
    for (const file of files) await copyOut(content, work, file);
    // A half-built or tampered folder from an earlier crash is replaced; a complete one from a racing process is kept.
    if (fs.existsSync(target) && !complete(target, files)) await fs.promises.rm(target, { recursive: true, force: true });
    try {
      await fs.promises.rename(work, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } catch (err) {
    throw fileWriteError(err, 'unpack the registered model', target);
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
  return target;
}

/** Every file present with its pinned size (content was verified when copied in). */
function complete(dir: string, files: readonly PinnedFile[]): boolean {
  for (const file of files) {
    const st = fs.statSync(path.join(dir, ...file.path.split('/')), { throwIfNoEntry: false });
    if (!st?.isFile() || st.size !== file.size) return false;
  }
  return fs.existsSync(dir);
}

async function copyOut(content: ContentStore, work: string, file: PinnedFile): Promise<void> {
  let clean: string | undefined;
  try {
    clean = normalizeArtifactPath(file.path);
  } catch {
    clean = undefined;
  }
  if (clean !== file.path) {
    throw new TracklabError('INVALID_STATE', `A registered version pins the unsafe path ${JSON.stringify(file.path)}; the store may have been edited by hand. Nothing was unpacked.`);
  }
  const dest = path.join(work, ...clean.split('/'));
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  let blob: string;
  try {
    blob = content.resolveBlob(file.sha256);
  } catch (err) {
    throw new TracklabError('INVALID_STATE',
      `The content of "${file.path}" (${file.sha256}) is missing from the store, although the registry pins it. `
      + 'The store was edited by hand or gc ran without the registry\'s references; register the model again from a run that still has it.', { cause: err });
  }
  try {
    await copyVerified(blob, dest, file);
  } catch (err) {
    if (!(err instanceof ContentMismatch)) throw err;
    throw new TracklabError('INVALID_STATE',
      `"${file.path}" is damaged in the store (${err.got} on disk, the registry pins ${err.expected}). `
      + 'Run "tracklab doctor" to find other damage, and register the model again from a run that still has it.', { cause: err });
  }
}
