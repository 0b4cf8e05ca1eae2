/**
 * Provenance of a run beyond who and where: the git state of its source
 * folder (with the uncommitted diff as an artifact), the OS, the project's
 * dependencies and lockfile hash. Folder facts are read again at most every
 * few seconds (a kernel lives for hours while its user commits), not on every
 * run (startRun is synchronous and cheap); the diff is read once per such
 * reading and stored by content, so runs of an unchanged tree share one blob.
 */
import { Env } from '../env-names';
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { ArtifactEntry } from '../entities';
import type { GitState } from './git-state';

// Loaded at the first reading: git (node:child_process) and the lockfile hash (node:crypto) stay out of a cold require.
function environment(): typeof import('./environment') {
  return require('./environment') as typeof import('./environment');
}

function gitModule(): typeof import('./git-state') {
  return require('./git-state') as typeof import('./git-state');
}

export const ProvenanceTag = {
  gitCommit: 'tracklab.git.commit',
  gitBranch: 'tracklab.git.branch',
  gitRemote: 'tracklab.git.remote',
  gitDirty: 'tracklab.git.dirty',
  os: 'tracklab.os',
  dependencies: 'tracklab.dependencies',
  lockfile: 'tracklab.lockfile',
  lockfileSha256: 'tracklab.lockfile.sha256',
} as const;

/** Where the uncommitted diff of a dirty tree is stored on each run. */
export const GIT_DIFF_ARTIFACT = 'provenance/git-diff.patch';

interface FolderFacts {
  readonly git: GitState | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly readAt: number;
  diff?: Promise<string | undefined>;
  /** The stored diff per client (store), so later runs of this reading only add a manifest row. */
  readonly diffEntries: WeakMap<ArtifactLogger, readonly ArtifactEntry[]>;
}

const byFolder = new Map<string, FolderFacts>();
let refreshMs = 5000;

/** @internal How long folder facts are reused before git is asked again (tests shorten it). */
export function setProvenanceRefresh(ms: number): void {
  refreshMs = ms;
}

function read(dir: string): { git: GitState | undefined; tags: Record<string, string> } {
  const { dependenciesJson, findPackageRoot, lockfileDigest, osDescription } = environment();
  const git = gitModule().gitState(dir);
  const tags: Record<string, string> = { [ProvenanceTag.os]: osDescription() };
  if (git) {
    tags[ProvenanceTag.gitCommit] = git.commit;
    if (git.branch) tags[ProvenanceTag.gitBranch] = git.branch;
    if (git.remote) tags[ProvenanceTag.gitRemote] = git.remote.slice(0, 8000);
    if (git.dirty !== undefined) tags[ProvenanceTag.gitDirty] = String(git.dirty);
  }
  const pkgRoot = findPackageRoot(dir);
  if (pkgRoot) {
    const deps = dependenciesJson(pkgRoot);
    if (deps) tags[ProvenanceTag.dependencies] = deps;
    const lock = lockfileDigest(pkgRoot);
    if (lock) {
      tags[ProvenanceTag.lockfile] = lock.file;
      tags[ProvenanceTag.lockfileSha256] = lock.sha256;
    }
  }
  return { git, tags };
}

function facts(dir: string): FolderFacts {
  const found = byFolder.get(dir);
  const now = Date.now();
  if (found !== undefined && now - found.readAt < refreshMs) return found;
  const fresh = read(dir);
  // Unchanged facts keep the same tags object (system-tags caches on it); the diff is read again either way.
  const same = found !== undefined && JSON.stringify(fresh.tags) === JSON.stringify(found.tags);
  const next: FolderFacts = { git: fresh.git, tags: same ? found.tags : Object.freeze(fresh.tags), readAt: now, diffEntries: new WeakMap() };
  byFolder.set(dir, next);
  return next;
}

/** Provenance tags of a source folder (git, OS, dependencies, lockfile hash); cached per folder. */
export function provenanceTags(dir: string): Readonly<Record<string, string>> {
  return facts(dir).tags;
}

/** `TRACKLAB_GIT_DIFF=0` (or `false`, `off`) keeps diffs out of the store, e.g. when they may hold secrets. */
export function diffCaptureEnabled(): boolean {
  return !/^(0|false|off|no)$/i.test(process.env[Env.gitDiff] ?? '');
}

/** What recordProvenance needs from a client: the artifact write path. */
export interface ArtifactLogger {
  logArtifact(runId: string, source: ArtifactSource, artifactPath?: string): Promise<ArtifactEntry[]>;
  /** Records already-stored blobs on a run; false when one is missing from the content store (log it again then). */
  linkArtifacts?(runId: string, entries: readonly ArtifactEntry[]): Promise<boolean>;
  /** Whether every blob of these entries is in the content store. */
  blobsStored?(entries: readonly ArtifactEntry[]): Promise<boolean>;
}

/**
 * The diff entries `client` stored for the current reading of `dir`, when
 * its tree is dirty: a new run can record them in its own write (NewRun.artifacts)
 * and pass them to recordProvenance as `linked`, instead of a second write
 * per run. Never reads git: undefined until a run of this reading stored the diff.
 */
export function storedDiffEntries(client: ArtifactLogger, dir: string): readonly ArtifactEntry[] | undefined {
  const folder = byFolder.get(dir);
  if (folder === undefined || folder.git?.dirty !== true || !diffCaptureEnabled()) return undefined;
  return folder.diffEntries.get(client);
}

let warned = false;

/**
 * Stores the uncommitted diff of `dir`'s repository as `provenance/git-diff.patch`
 * on the run when the tree is dirty. `linked` are entries the run's own write
 * recorded already (storedDiffEntries): if they are still this reading's, only
 * their blobs are checked. Never throws: provenance must not fail a run, so a
 * problem is warned about once per process.
 */
export async function recordProvenance(client: ArtifactLogger, runId: string, dir: string, linked?: readonly ArtifactEntry[]): Promise<void> {
  try {
    const folder = facts(dir);
    if (folder.git?.dirty !== true || !diffCaptureEnabled()) return;
    folder.diff ??= gitModule().uncommittedDiff(folder.git.root);
    const diff = await folder.diff;
    if (diff === undefined || diff === '') return;
    // Hashing and storing the same diff for every run of a loop costs more than the run itself: link the stored blob.
    const stored = folder.diffEntries.get(client);
    if (stored !== undefined && stored === linked && client.blobsStored !== undefined && await client.blobsStored(stored)) return;
    if (stored !== undefined && client.linkArtifacts !== undefined && await client.linkArtifacts(runId, stored)) return;
    folder.diffEntries.set(client, await client.logArtifact(runId, { text: diff }, GIT_DIFF_ARTIFACT));
  } catch (err) {
    if (warned) return;
    warned = true;
    console.warn(`tracklab: could not store the uncommitted git diff of run ${runId} (${err instanceof Error ? err.message : String(err)}); the run goes on without it.`);
  }
}
