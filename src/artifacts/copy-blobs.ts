/**
 * Copies content-addressed blobs from one artifact root to another, checking
 * each copy's sha256 as it is written (ContentStore.put hashes what it
 * stores). Blobs the destination holds already are counted, not copied
 * again (a merge into a team's folder); blobs the source lacks are listed,
 * not invented.
 */
import { TracklabError } from '../errors';
import { ContentStore } from './content-store';

export interface BlobCopyReport {
  readonly copied: number;
  readonly bytes: number;
  /** Blobs the destination already held (the same content, so the same name). */
  readonly present: number;
  /** Referenced blobs that were already missing from the source folder. */
  readonly missing: readonly string[];
}

export async function copyBlobs(
  from: ContentStore, to: ContentStore, shas: Iterable<string>, onProgress: (done: number, total: number) => void = () => undefined,
): Promise<BlobCopyReport> {
  const list = [...shas].sort();
  const missing: string[] = [];
  let bytes = 0;
  let copied = 0;
  let present = 0;
  for (const [i, sha] of list.entries()) {
    if (held(to, sha)) {
      present++;
      onProgress(i + 1, list.length);
      continue;
    }
    let file: string;
    try {
      file = from.resolveBlob(sha);
    } catch (err) {
      if (err instanceof TracklabError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
        missing.push(sha);
        onProgress(i + 1, list.length);
        continue;
      }
      throw err;
    }
    const stored = await to.put(file);
    if (stored.sha256 !== sha) {
      throw new TracklabError('INTERNAL_ERROR', `Blob ${sha} in ${from.root} holds content whose sha256 is ${stored.sha256}: the source folder was changed by hand. `
        + 'Nothing was removed from it; fix or remove that blob, then copy again.');
    }
    bytes += stored.size;
    copied++;
    onProgress(i + 1, list.length);
  }
  return { copied, bytes, present, missing };
}

function held(store: ContentStore, sha: string): boolean {
  try {
    store.resolveBlob(sha);
    return true;
  } catch (err) {
    if (err instanceof TracklabError && err.code === 'RESOURCE_DOES_NOT_EXIST') return false;
    throw err;
  }
}
