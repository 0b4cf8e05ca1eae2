/**
 * Writing files so that they are complete or absent. `write(2)` may write
 * fewer bytes than asked (a full disk does that before it fails with
 * ENOSPC), so every write loops until done; a file is staged privately
 * beside its target, fsynced, checked against what was meant to be written,
 * given its final mode and only then renamed into place. On any error the
 * staging file is removed and the target is left as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode, fileWriteError, verifyFailed } from './file-errors';
import { NEW_FILE_MODE, STAGING_MODE, withUmask } from './file-mode';

const CHUNK = 1 << 20;

export interface AtomicWriteOptions {
  /** Mode before the umask is applied; default 0o666 (an ordinary file). */
  readonly mode?: number;
  /** What the caller was doing, for the error message ("write the Arrow file"). */
  readonly doing?: string;
}

function noProgress(): NodeJS.ErrnoException {
  return Object.assign(new Error('write() stored 0 bytes'), { code: 'ENOSPC' });
}

/** Writes all of `bytes` at the handle's position, looping over short writes. */
export async function writeAll(handle: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    if (bytesWritten <= 0) throw noProgress();
    offset += bytesWritten;
  }
}

/** Synchronous {@link writeAll}. */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength;) {
    const written = fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
    if (written <= 0) throw noProgress();
    offset += written;
  }
}

/** The sha256 and size of what an open file holds now, read back from the start. */
export async function digestOf(handle: fs.promises.FileHandle): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, size);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Throws unless the open file holds exactly `size` bytes (and, when given, that sha256). */
export async function verifyWritten(handle: fs.promises.FileHandle, file: string, size: number, sha256?: string): Promise<void> {
  if (sha256 === undefined) {
    const st = await handle.stat();
    if (st.size !== size) throw verifyFailed(file, `${size} bytes`, `${st.size} bytes`);
    return;
  }
  const got = await digestOf(handle);
  if (got.size !== size) throw verifyFailed(file, `${size} bytes`, `${got.size} bytes`);
  if (got.sha256 !== sha256) throw verifyFailed(file, `sha256 ${sha256}`, `sha256 ${got.sha256}`);
}

/** fsync a folder so a rename into it survives power loss (a no-op where folders cannot be opened). */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    await handle?.close();
  }
}

function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A private staging name beside `target`, so the final rename stays on one file system.
 * It keeps at most 32 characters of the target's name: a target name at the file
 * system's 255-byte limit (which artifact paths allow) must still get a staging name.
 */
export function stagingPath(target: string): string {
  const stem = Array.from(path.basename(target)).slice(0, 32).join('');
  return path.join(path.dirname(target), `.${stem}.${randomBytes(4).toString('hex')}.part`);
}

/**
 * Writes `data` to `file` atomically: readers see the old file or the whole
 * new one, never part of it. Throws a TracklabError (disk full, permissions)
 * and leaves `file` untouched on failure.
 *
 * @example
 * await writeFileAtomic('history.arrow', bytes, { doing: 'write the Arrow file' });
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const target = path.resolve(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = stagingPath(target);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx+', STAGING_MODE);
    await writeAll(handle, bytes);
    await handle.sync();
    await verifyWritten(handle, tmp, bytes.byteLength);
    await handle.chmod(withUmask(options.mode ?? NEW_FILE_MODE));
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target);
    await syncDir(path.dirname(target));
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw fileWriteError(err, options.doing ?? `write ${target}`, target, `${target} was left as it was.`);
  }
}

/** Synchronous {@link writeFileAtomic}, for callers that cannot await (the notebook runner's output). */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const target = path.resolve(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = stagingPath(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', STAGING_MODE);
    writeAllSync(fd, bytes);
    fs.fsyncSync(fd);
    const { size } = fs.fstatSync(fd);
    if (size !== bytes.byteLength) throw verifyFailed(tmp, `${bytes.byteLength} bytes`, `${size} bytes`);
    fs.fchmodSync(fd, withUmask(options.mode ?? NEW_FILE_MODE));
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
    syncDirSync(path.dirname(target));
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw fileWriteError(err, options.doing ?? `write ${target}`, target, `${target} was left as it was.`);
  }
}

/**
 * Copies `source` to `dest` atomically, checking that the bytes read hash to
 * `expected.sha256` and that `dest` then holds `expected.size` bytes. A
 * symlink already at `dest` is replaced, never followed. Errors are thrown
 * as they are (the caller knows what the copy was for).
 */
export async function copyVerified(source: string, dest: string, expected: { sha256: string; size: number }, mode = NEW_FILE_MODE): Promise<void> {
  const tmp = stagingPath(dest);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx+', STAGING_MODE);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of fs.createReadStream(source, { highWaterMark: CHUNK })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      await writeAll(handle, bytes);
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== expected.sha256 || size !== expected.size) {
      throw new ContentMismatch(source, `${expected.size} bytes with sha256 ${expected.sha256}`, `${size} bytes with sha256 ${sha256}`);
    }
    await handle.sync();
    await verifyWritten(handle, tmp, size);
    await handle.chmod(withUmask(mode));
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, dest);
  } finally {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Thrown by {@link copyVerified} when the source does not hold the expected content (damaged on disk). */
export class ContentMismatch extends Error {
  override readonly name = 'ContentMismatch';
  constructor(readonly file: string, readonly expected: string, readonly got: string) {
    super(`${file} holds ${got}, expected ${expected}`);
  }
}
