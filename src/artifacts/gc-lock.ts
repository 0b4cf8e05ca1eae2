/**
 * `artifacts/gc.lock`: keeps two processes from sweeping (gc, doctor --fix)
 * or copying (backup) the content store at once.
 *
 * The lock file is written in full under a temp name and hard-linked into
 * place, so it exists only with its owner recorded in it; an empty or
 * unreadable lock can only be a leftover (of a crash, or of an older tracklab
 * that failed on a full disk) and is taken over. So is a lock whose owner
 * process (pid plus start time, on this host) is gone. A lock of another host
 * is respected: nothing here can tell whether that process still runs.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { writeAll } from '../files/durable-file';
import { errnoCode, fileWriteError } from '../files/file-errors';
import { STAGING_MODE, withUmask } from '../files/file-mode';
import { isProcessAlive, procStartTime } from '../process-identity';

/** What holds the lock: shown to whoever finds it taken. */
export type LockPurpose = 'gc' | 'backup' | 'doctor --fix';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly start?: string;
  readonly purpose?: string;
}

export const GC_LOCK_FILE = 'gc.lock';

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder> | null;
    if (value && typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string') {
      return { pid: value.pid, host: value.host, start: typeof value.start === 'string' ? value.start : undefined, purpose: typeof value.purpose === 'string' ? value.purpose : undefined };
    }
  } catch {
    // fall through: unreadable
  }
  return undefined;
}

/** Creates `file` holding `text`, or returns false when it already exists. Never leaves a partial lock. */
async function createComplete(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', STAGING_MODE);
    await writeAll(handle, Buffer.from(text, 'utf8'));
    // Readable by whoever shares the store (within the umask), so they can see who holds it.
    await handle.chmod(withUmask(0o644));
    await handle.close();
    handle = undefined;
    await fs.promises.link(tmp, file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw fileWriteError(err, 'take the artifact gc lock', file, 'Nothing was changed.');
  } finally {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** The lock as found: its inode (to take over exactly this file) and its owner, if it names one. */
async function inspect(file: string): Promise<{ ino: number; holder: Holder | undefined } | undefined> {
  try {
    const st = await fs.promises.stat(file);
    return { ino: st.ino, holder: parseHolder(await fs.promises.readFile(file, 'utf8')) };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes a lock judged stale, unless it was replaced since it was judged:
 * it is renamed aside first and put back if the inode is not the one judged.
 */
async function takeOver(file: string, ino: number): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.promises.rename(file, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  const st = await fs.promises.stat(aside);
  if (st.ino !== ino) await fs.promises.link(aside, file).catch(() => undefined);
  await fs.promises.rm(aside, { force: true });
}

function describeHolder(holder: Holder): string {
  const what = holder.purpose === 'backup' ? 'A backup of this store' : holder.purpose === 'doctor --fix' ? '"tracklab doctor --fix"' : 'Another artifact gc';
  return `${what} is running (pid ${holder.pid} on ${holder.host})`;
}

/**
 * What `<artifact root>/gc.lock` says now: free, held by a live process,
 * or stale (left by a process that is gone, or unreadable), and why.
 */
export async function inspectGcLock(artifactRoot: string): Promise<{ state: 'free' | 'held' | 'stale'; file: string; why?: string }> {
  const file = path.join(artifactRoot, GC_LOCK_FILE);
  const found = await inspect(file);
  if (found === undefined) return { state: 'free', file };
  const { holder } = found;
  if (holder === undefined) return { state: 'stale', file, why: `${file} is empty or unreadable (left by a gc that failed)` };
  if (holder.host !== os.hostname() || isProcessAlive(holder.pid, holder.start)) return { state: 'held', file, why: describeHolder(holder) };
  return { state: 'stale', file, why: `${file} was left by process ${holder.pid} (${holder.purpose ?? 'gc'}), which is gone` };
}

/** Removes the lock file when it is stale; a held or replaced lock is left alone. */
export async function clearStaleGcLock(artifactRoot: string): Promise<boolean> {
  const file = path.join(artifactRoot, GC_LOCK_FILE);
  const found = await inspect(file);
  if (found === undefined) return false;
  if (found.holder !== undefined && (found.holder.host !== os.hostname() || isProcessAlive(found.holder.pid, found.holder.start))) return false;
  await takeOver(file, found.ino);
  return true;
}

/**
 * Takes `<artifact root>/gc.lock` for `purpose` and returns its release.
 * Throws INVALID_STATE when a live process holds it.
 *
 * @example
 * const release = await takeGcLock(content.root, 'gc');
 * try { ... } finally { await release(); }
 */
export async function takeGcLock(artifactRoot: string, purpose: LockPurpose): Promise<() => Promise<void>> {
  const file = path.join(artifactRoot, GC_LOCK_FILE);
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
  } catch (err) {
    throw fileWriteError(err, 'take the artifact gc lock', file, 'Nothing was changed.');
  }
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), start: procStartTime('self'), purpose });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createComplete(file, mine)) return () => fs.promises.rm(file, { force: true });
    const found = await inspect(file);
    if (found === undefined) continue; // released meanwhile
    const { holder } = found;
    if (holder !== undefined && holder.host !== os.hostname()) {
      throw new TracklabError('INVALID_STATE',
        `${describeHolder(holder)}. Wait for it to finish, or delete ${file} if that process is gone.`);
    }
    if (holder !== undefined && isProcessAlive(holder.pid, holder.start)) {
      throw new TracklabError('INVALID_STATE', `${describeHolder(holder)}. Wait for it to finish, then try again.`);
    }
    // Unreadable, or its owner is gone: a leftover.
    await takeOver(file, found.ino);
  }
  throw new TracklabError('INVALID_STATE', `Could not take the gc lock ${file}; other processes keep taking it. Try again.`);
}
