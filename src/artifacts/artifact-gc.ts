/**
 * Garbage collection of artifact content.
 *
 * The race with a concurrent writer, and how it is closed:
 * a writer (1) renames the blob into place, or touches it when it already
 * exists, (2) writes the manifest row, (3) checks the blob still exists and
 * re-puts it if not. gc (a) reads the referenced set R1, (b) moves each
 * unreferenced blob older than the grace period into `artifacts/trash/`,
 * (c) reads the referenced set again (R2) and restores every trashed blob in
 * R2, deleting the rest. A manifest row written before (c) is seen in R2, so
 * its blob is restored; one written after (c) is followed by the writer's
 * check (3), which finds the blob gone and puts it back. Either way a
 * referenced blob survives. The grace period (60 s; `force` skips it) only
 * spares fresh blobs the move-and-restore churn. The cost: a reader may miss
 * a just-relogged blob for the instant it sits in trash. A lock file keeps
 * two gcs from interleaving; one that crashed leaves trash that the next gc
 * sorts the same way (see gc-lock.ts for how a stale lock is taken over).
 */
import * as fs from 'node:fs';
import { TracklabError } from '../errors';
import type { TrackingStore } from '../store/store';
import type { ContentStore } from './content-store';
import { takeGcLock } from './gc-lock';

export interface GcOptions {
  /** Report what would go without deleting anything (runs stay unpurged). */
  readonly dryRun?: boolean;
  /** Also remove unreferenced blobs younger than the grace period. */
  readonly force?: boolean;
  /** Age (ms) below which an unreferenced blob is kept; default 60 000. */
  readonly graceMs?: number;
  /** Leave deleted runs alone and only sweep unreferenced content (what `tracklab doctor --fix` does). */
  readonly keepDeletedRuns?: boolean;
}

export interface GcResult {
  readonly purgedRuns: number;
  readonly removedBlobs: number;
  /** Bytes of removed blobs plus stale temp files. */
  readonly freedBytes: number;
}

export const DEFAULT_GC_GRACE_MS = 60_000;
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Deleted-run count and the blobs only deleted runs reference, for a dry run. */
async function deletedOnly(store: TrackingStore): Promise<{ runs: number; blobs: Set<string> }> {
  const experimentIds: string[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page = await store.searchExperiments({ orderBy: [], maxResults: 1000, offset, lifecycle: 'all' });
    experimentIds.push(...page.experiments.map((e) => e.experimentId));
    offset = page.nextOffset;
  }
  const deleted = new Set<string>();
  const live = new Set<string>();
  let runs = 0;
  if (experimentIds.length === 0) return { runs, blobs: deleted };
  for (let offset: number | null = 0; offset !== null;) {
    const page = await store.searchRuns({ experimentIds, orderBy: [], maxResults: 1000, offset, lifecycle: 'all' });
    for (const run of page.runs) {
      const isDeleted = run.info.lifecycleStage === 'deleted';
      if (isDeleted) runs++;
      for (const entry of await store.listArtifacts(run.info.runId)) (isDeleted ? deleted : live).add(entry.sha256);
    }
    offset = page.nextOffset;
  }
  for (const sha of live) deleted.delete(sha);
  return { runs, blobs: deleted };
}

async function dryRun(store: TrackingStore, content: ContentStore, cutoff: number): Promise<GcResult> {
  // Upper bound: a blob shared by a deleted run and only a registry entry counts as removable here but is kept by a real gc.
  const [{ runs, blobs: goneWithRuns }, referenced] = await Promise.all([deletedOnly(store), store.referencedBlobs()]);
  let removedBlobs = 0;
  let freedBytes = 0;
  for (const blob of await content.listBlobs()) {
    const kept = referenced.has(blob.sha256) && !goneWithRuns.has(blob.sha256);
    if (!kept && blob.mtimeMs < cutoff) {
      removedBlobs++;
      freedBytes += blob.size;
    }
  }
  for (const temp of await content.staleTempFiles(Date.now() - STALE_TEMP_MS)) freedBytes += temp.size;
  return { purgedRuns: runs, removedBlobs, freedBytes };
}

/**
 * Purges deleted runs, then deletes content no run or registry entry
 * references. See the file comment for why this is safe next to writers.
 */
export async function collectGarbage(store: TrackingStore, content: ContentStore, options: GcOptions = {}): Promise<GcResult> {
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `gc graceMs must be a non-negative number of milliseconds, got ${String(graceMs)}.`);
  }
  const cutoff = options.force ? Number.POSITIVE_INFINITY : Date.now() - graceMs;
  try {
    return options.dryRun ? await dryRun(store, content, cutoff) : await sweep(store, content, cutoff, options.keepDeletedRuns === true);
  } catch (error) {
    if (error instanceof TracklabError) throw error;
    throw new TracklabError('INTERNAL_ERROR',
      `Artifact gc failed: ${error instanceof Error ? error.message : String(error)}. Nothing referenced was deleted; fix the cause and run gc again.`, { cause: error });
  }
}

async function sweep(store: TrackingStore, content: ContentStore, cutoff: number, keepDeletedRuns: boolean): Promise<GcResult> {
  const unlock = await takeGcLock(content.root, 'gc');
  try {
    const purgedRuns = keepDeletedRuns ? 0 : (await store.purgeDeletedRuns()).length;
    const before = await store.referencedBlobs();
    for (const blob of await content.listBlobs()) {
      if (!before.has(blob.sha256) && blob.mtimeMs < cutoff) await content.quarantine(blob.sha256);
    }
    const after = await store.referencedBlobs();
    let removedBlobs = 0;
    let freedBytes = 0;
    for (const trashed of await content.listTrash()) {
      if (after.has(trashed.sha256)) {
        await content.restore(trashed.file, trashed.sha256);
      } else {
        await fs.promises.rm(trashed.file, { force: true });
        removedBlobs++;
        freedBytes += trashed.size;
      }
    }
    for (const temp of await content.staleTempFiles(Date.now() - STALE_TEMP_MS)) {
      await fs.promises.rm(temp.file, { force: true });
      freedBytes += temp.size;
    }
    return { purgedRuns, removedBlobs, freedBytes };
  } finally {
    await unlock();
  }
}
