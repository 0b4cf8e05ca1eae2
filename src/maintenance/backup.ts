/**
 * `tracklab backup DEST` / `client.backup(dest)`: a copy of a live store
 * that opens as a store of its own. The database is copied by the backend
 * (SQLite: the online backup API, a consistent snapshot while others keep
 * writing); then every blob that snapshot references is copied and its
 * sha256 checked. The gc lock is held throughout, so no gc removes a blob
 * the snapshot still needs; writers go on as usual (a blob is always in place
 * before the manifest row that names it, see ArtifactRepository).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContentStore } from '../artifacts/content-store';
import { takeGcLock } from '../artifacts/gc-lock';
import { TracklabError } from '../errors';
import { ContentMismatch, copyVerified, syncDir } from '../files/durable-file';
import { fileWriteError } from '../files/file-errors';
import { READ_ONLY_MODE } from '../files/file-mode';
import type { StoreBackend } from '../store/backend';
import type { TrackingStore } from '../store/store';

export interface BackupProgress {
  readonly phase: 'database' | 'artifacts';
  /** Database: pages copied; artifacts: blobs copied. */
  readonly done: number;
  readonly total: number;
  /** Artifacts: bytes copied so far. */
  readonly bytes?: number;
}

export interface BackupOptions {
  /** Called as the copy advances (often: throttle what you print). */
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface BackupResult {
  /** The backup folder (absolute); open it like any store (`--home DEST`). */
  readonly dest: string;
  /** Blobs copied, and their bytes. */
  readonly blobs: number;
  readonly bytes: number;
  /** Referenced content that was already missing or damaged in the source store (see `tracklab doctor`). */
  readonly missing: readonly string[];
  readonly damaged: readonly string[];
}

/** What a backup needs from the client: the store, its content, and a way to open the copy. */
export interface BackupParts {
  /** The store folder being copied. */
  readonly root: string;
  readonly store: TrackingStore;
  readonly content: ContentStore;
  /** Opens the copy (a store folder) to read what it references, with its own artifact folder. */
  open(root: string): Promise<StoreBackend>;
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + path.sep);
}

/** Creates `dest` or accepts it empty; returns whether it was created here (and so may be removed on failure). */
function prepareDest(dest: string, root: string): boolean {
  if (inside(dest, root) || inside(root, dest)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `Cannot back up the store ${root} into ${dest}: one folder holds the other. Choose a folder outside the store.`);
  }
  const st = fs.statSync(dest, { throwIfNoEntry: false });
  if (st !== undefined) {
    if (!st.isDirectory() || fs.readdirSync(dest).length > 0) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `${dest} exists and is not an empty folder. Back up into a new or empty folder.`);
    }
    return false;
  }
  try {
    fs.mkdirSync(dest, { recursive: true });
  } catch (err) {
    throw fileWriteError(err, `create the backup folder ${dest}`, dest);
  }
  return true;
}

/**
 * Copies the store into `dest` (new or empty). See the file comment.
 *
 * @example
 * const { blobs, bytes } = await backupStore(parts, '/backups/tracklab-2024-06-01');
 */
export async function backupStore(parts: BackupParts, dest: string, options: BackupOptions = {}): Promise<BackupResult> {
  const { root, store, content } = parts;
  if (typeof dest !== 'string' || dest.trim() === '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'backup needs a destination folder, e.g. client.backup("/backups/tracklab-2024-06-01").');
  }
  if (store.backupDatabase === undefined) {
    throw new TracklabError('INVALID_STATE',
      `The store ${root} cannot be backed up by tracklab (its backend has no online copy). Use the database's own tools, such as pg_dump, `
      + `and copy its artifact folder ${content.root} too (pg_dump does not); or copy both into a folder store, each table and blob checked: `
      + `tracklab migrate-store --from <its URI> --from-artifact-root ${content.root} --to ${path.resolve(dest)}.`);
  }
  const target = path.resolve(dest);
  const release = await takeGcLock(content.root, 'backup');
  let created: boolean | undefined;
  let copy: StoreBackend | undefined;
  try {
    created = prepareDest(target, fs.realpathSync(root));
    await store.backupDatabase(target, (p) => options.onProgress?.({ phase: 'database', ...p }));
    copy = await parts.open(target);
    const result = await copyContent(content, new ContentStore(copy.defaultArtifactRoot ?? path.join(target, 'artifacts')), [...await copy.tracking.referencedBlobs()].sort(), options);
    const problems = await copy.tracking.checkIntegrity?.() ?? [];
    if (problems.length > 0) {
      throw new TracklabError('INTERNAL_ERROR',
        `The copy in ${target} failed its integrity check (${problems.slice(0, 3).join('; ')}). Run "tracklab doctor" on the store, then back up again.`);
    }
    return { dest: target, ...result };
  } catch (err) {
    await copy?.close();
    copy = undefined;
    // Only what this backup made is removed: a folder it created, or what it put into an empty one.
    if (created === true) fs.rmSync(target, { recursive: true, force: true });
    else if (created === false) for (const name of fs.readdirSync(target)) fs.rmSync(path.join(target, name), { recursive: true, force: true });
    throw fileWriteError(err, `back up the store to ${target}`, target, 'The partial copy was removed.');
  } finally {
    await copy?.close();
    await release();
  }
}

async function copyContent(from: ContentStore, to: ContentStore, shas: readonly string[], options: BackupOptions): Promise<Omit<BackupResult, 'dest'>> {
  const missing: string[] = [];
  const damaged: string[] = [];
  const dirs = new Set<string>();
  let blobs = 0;
  let bytes = 0;
  options.onProgress?.({ phase: 'artifacts', done: 0, total: shas.length, bytes });
  for (const [i, sha256] of shas.entries()) {
    const source = from.blobPath(sha256);
    const st = fs.statSync(source, { throwIfNoEntry: false });
    if (st === undefined) {
      missing.push(sha256);
    } else {
      const target = to.blobPath(sha256);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      dirs.add(path.dirname(target));
      try {
        await copyVerified(source, target, { sha256, size: st.size }, READ_ONLY_MODE);
        blobs++;
        bytes += st.size;
      } catch (err) {
        if (!(err instanceof ContentMismatch)) throw err;
        damaged.push(sha256);
      }
    }
    options.onProgress?.({ phase: 'artifacts', done: i + 1, total: shas.length, bytes });
  }
  for (const dir of dirs) await syncDir(dir);
  return { blobs, bytes, missing, damaged };
}
