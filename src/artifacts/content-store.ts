import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { syncDir, verifyWritten, writeAll } from '../files/durable-file';
import { fileWriteError } from '../files/file-errors';
import { READ_ONLY_MODE, STAGING_MODE, withUmask } from '../files/file-mode';

/** What {@link ContentStore.put} stored. */
export interface BlobInfo {
  readonly sha256: string;
  readonly size: number;
}

/** One blob file found on disk by {@link ContentStore.listBlobs}. */
export interface BlobFile {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const READ_CHUNK = 1 << 20;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value);
}

function ioError(what: string, cause: unknown): TracklabError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TracklabError('INTERNAL_ERROR', `${what}: ${detail}. Check that the artifact folder is readable and writable and the disk is not full.`, { cause });
}

async function bytesInto(handle: fs.promises.FileHandle, bytes: Uint8Array): Promise<BlobInfo> {
  await writeAll(handle, bytes);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
}

/** Streams a local file into the handle (so larger-than-memory files work), hashing what it writes. */
async function copyInto(handle: fs.promises.FileHandle, source: string): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let size = 0;
  let writeFailure: unknown;
  try {
    for await (const chunk of fs.createReadStream(source, { highWaterMark: READ_CHUNK })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      await writeAll(handle, bytes).catch((error: unknown) => { writeFailure = error; throw error; });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A failed write (disk full) is the store's problem; only a failed read is the caller's.
    if (error === writeFailure || (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES')) throw error;
    throw new TracklabError(code === 'ENOENT' ? 'RESOURCE_DOES_NOT_EXIST' : 'INVALID_PARAMETER_VALUE',
      `Cannot read ${source} to log it as an artifact (${code}). Check the path and its permissions.`, { cause: error });
  }
  return { sha256: hash.digest('hex'), size };
}

/** Marks an error thrown by a stream's own reader (the client went away, a size limit), so it passes through untranslated. */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

/** A stream longer than `maxBytes` stops with `tooLarge()` (thrown as the stream's own failure). */
export interface StreamLimit {
  readonly maxBytes: number;
  readonly tooLarge: () => Error;
}

/** Writes a stream into the handle as it arrives, hashing on the way: one copy on disk, never the whole of it in memory. */
async function streamInto(handle: fs.promises.FileHandle, source: AsyncIterable<Uint8Array>, limit?: StreamLimit): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let size = 0;
  const chunks = source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw new SourceFailure(error);
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (limit !== undefined && size > limit.maxBytes) throw new SourceFailure(limit.tooLarge());
    hash.update(next.value);
    await writeAll(handle, next.value);
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Content-addressed blobs under `<artifact root>/sha256/<ab>/<rest>`.
 * Writes go to `<artifact root>/tmp/`, are fsynced and renamed into place,
 * so a blob path either holds the complete content or does not exist.
 * The artifact root is its own setting (an embedded store keeps it in
 * `<store>/artifacts`); a team shares one folder beside its database.
 */
export class ContentStore {
  readonly root: string;
  readonly blobRoot: string;
  readonly tmpDir: string;
  readonly trashDir: string;

  constructor(artifactRoot: string) {
    this.root = path.resolve(artifactRoot);
    this.blobRoot = path.join(this.root, 'sha256');
    this.tmpDir = path.join(this.root, 'tmp');
    this.trashDir = path.join(this.root, 'trash');
  }

  /** Where a blob lives. Refuses anything that is not a lowercase sha256, so a tampered manifest cannot name another file. */
  blobPath(sha256: string): string {
    if (!isSha256(sha256)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `"${String(sha256)}" is not a sha256 digest (64 lowercase hex digits).`);
    }
    return path.join(this.blobRoot, sha256.slice(0, 2), sha256.slice(2));
  }

  /** Throws unless `file`'s real path (symlinks resolved) is under the store root. */
  private assertInside(file: string): string {
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(this.root);
    if (!real.startsWith(realRoot + path.sep)) {
      throw new TracklabError('INVALID_STATE',
        `${file} resolves to ${real}, outside the artifact root ${realRoot}. Remove the symlink from the artifact folder.`);
    }
    return real;
  }

  /**
   * The blob's path after checking that its real path (symlinks resolved)
   * is still under the store root. Throws RESOURCE_DOES_NOT_EXIST when absent.
   */
  resolveBlob(sha256: string): string {
    const file = this.blobPath(sha256);
    try {
      return this.assertInside(file);
    } catch (cause) {
      if (cause instanceof TracklabError) throw cause;
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
        `Artifact content ${sha256} is missing from ${this.blobRoot}. If a gc is running, try again in a moment; ` +
        'otherwise the store was edited by hand and the artifact must be logged again.', { cause });
    }
  }

  /**
   * Stores a file (streamed, so larger-than-memory files work), bytes, or a
   * stream of bytes (an upload: written once as it arrives, hashed on the
   * way, then verified; an error of the stream itself passes through as thrown).
   * Identical content is stored once: if the blob already exists the temp
   * file is dropped and the blob's mtime refreshed, which tells a concurrent
   * `gc` the blob is in use again (see ArtifactRepository.gc).
   *
   * @example
   * const { sha256, size } = await new ContentStore(root).put('model.onnx');
   */
  async put(source: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<BlobInfo> {
    try {
      return await this.stage((handle) => (typeof source === 'string' ? copyInto(handle, source)
        : source instanceof Uint8Array ? bytesInto(handle, source) : streamInto(handle, source)), (error) => error instanceof SourceFailure);
    } catch (error) {
      throw error instanceof SourceFailure ? error.error : error;
    }
  }

  /**
   * Writes a new temp file with `fill`, then places it at its digest. On
   * failure the temp file is removed; errors `passThrough` accepts are
   * rethrown as they are, the rest translated (disk full, permissions).
   */
  private async stage(fill: (handle: fs.promises.FileHandle) => Promise<BlobInfo>, passThrough: (error: unknown) => boolean = () => false): Promise<BlobInfo> {
    const tmp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    let handle: fs.promises.FileHandle | undefined;
    try {
      await fs.promises.mkdir(this.tmpDir, { recursive: true });
      handle = await fs.promises.open(tmp, 'wx+', STAGING_MODE);
      const { sha256, size } = await fill(handle);
      const fresh = await this.place(tmp, handle, sha256, size);
      handle = undefined;
      if (!fresh) await fs.promises.rm(tmp, { force: true });
      return { sha256, size };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      if (passThrough(error)) throw error;
      throw fileWriteError(error, 'store artifact content', this.tmpDir, 'Nothing was recorded.');
    }
  }

  /**
   * Stores a stream (an upload, a download) as the blob `expected.sha256`,
   * hashing what it writes: unless the bytes hash to that digest (and add up
   * to `expected.size`, when given), nothing is stored and INVALID_PARAMETER_VALUE
   * says what arrived. More than `maxBytes` stops the copy with `tooLarge()`.
   * An error of the stream itself is rethrown as it is (the caller knows
   * whether its peer went away).
   *
   * @example
   * await content.putStream(request, { sha256, size: Number(request.headers['content-length']) });
   */
  async putStream(source: AsyncIterable<Uint8Array>, expected: { readonly sha256: string; readonly size?: number }, limit?: StreamLimit): Promise<BlobInfo> {
    this.blobPath(expected.sha256);
    try {
      return await this.stage(async (handle) => {
        const { sha256, size } = await streamInto(handle, source, limit);
        if (sha256 !== expected.sha256 || (expected.size !== undefined && size !== expected.size)) {
          throw new TracklabError('INVALID_PARAMETER_VALUE',
            `The content received for ${expected.sha256} is ${size} bytes with sha256 ${sha256}`
            + `${expected.size !== undefined ? `, not the ${expected.size} bytes announced` : ''}; it was not stored. Send it again.`);
        }
        return { sha256, size };
      }, (error) => error instanceof SourceFailure);
    } catch (error) {
      throw error instanceof SourceFailure ? error.error : error;
    }
  }

  /**
   * Moves the complete temp file to its content address: check that it holds
   * exactly the bytes hashed, fsync, make it read-only (within the umask),
   * close, rename, fsync the folder. When the blob already exists it only
   * closes the temp (no fsync wasted on a duplicate) and returns false.
   */
  private async place(tmp: string, handle: fs.promises.FileHandle, sha256: string, size: number): Promise<boolean> {
    const target = this.blobPath(sha256);
    const dir = path.dirname(target);
    const existing = await fs.promises.stat(target).catch(() => undefined);
    if (existing?.isFile() && existing.size === size) {
      // Touch instead of writing: if gc moved the blob away meanwhile,
      // utimes fails and the temp is renamed into place below after all.
      const now = new Date();
      if (await fs.promises.utimes(target, now, now).then(() => true, () => false)) {
        await handle.close();
        return false;
      }
    }
    await handle.sync();
    await verifyWritten(handle, tmp, size, sha256);
    // Blobs are shared by every run that logged the same bytes: read-only, and never wider than the umask.
    await handle.chmod(withUmask(READ_ONLY_MODE));
    await handle.close();
    const created = !fs.existsSync(dir);
    await fs.promises.mkdir(dir, { recursive: true });
    this.assertInside(dir);
    await fs.promises.rename(tmp, target);
    await syncDir(dir);
    if (created) await syncDir(path.dirname(dir));
    return true;
  }

  /** Reads a whole blob. */
  async read(sha256: string): Promise<Buffer> {
    const file = this.resolveBlob(sha256);
    try {
      return await fs.promises.readFile(file);
    } catch (cause) {
      throw ioError(`Could not read artifact content ${sha256}`, cause);
    }
  }

  /** Every blob file on disk. Files that are not named like a digest are ignored. */
  async listBlobs(): Promise<BlobFile[]> {
    const out: BlobFile[] = [];
    const prefixes = await fs.promises.readdir(this.blobRoot).catch(() => [] as string[]);
    for (const prefix of prefixes) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const dir = path.join(this.blobRoot, prefix);
      const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const sha256 = prefix + name;
        if (!isSha256(sha256)) continue;
        const st = await fs.promises.lstat(path.join(dir, name)).catch(() => undefined);
        if (st?.isFile()) out.push({ sha256, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
    return out;
  }

  /** The size of a blob file, or undefined when there is none (a regular file at its address, not followed through a symlink). */
  async sizeOf(sha256: string): Promise<number | undefined> {
    const st = await fs.promises.lstat(this.blobPath(sha256)).catch(() => undefined);
    return st?.isFile() ? st.size : undefined;
  }

  /** True when the blob file exists (no realpath check; for gc and repair). */
  async has(sha256: string): Promise<boolean> {
    return fs.promises.stat(this.blobPath(sha256)).then((st) => st.isFile(), () => false);
  }

  /**
   * {@link has}, answered at once: for a check made on every run of a loop
   * (the shared git diff), where one stat is ~10 µs and a trip through the
   * thread pool and its Promise cost more than the stat.
   */
  hasSync(sha256: string): boolean {
    try {
      return fs.statSync(this.blobPath(sha256), { throwIfNoEntry: false })?.isFile() === true;
    } catch {
      return false;
    }
  }

  /**
   * Moves a blob out of its content address into `artifacts/trash/`, the
   * first half of gc's two-phase delete. Returns the trash file, or
   * undefined when the blob was already gone.
   */
  async quarantine(sha256: string): Promise<string | undefined> {
    await fs.promises.mkdir(this.trashDir, { recursive: true });
    const trash = path.join(this.trashDir, `${sha256}.${randomBytes(4).toString('hex')}`);
    try {
      await fs.promises.rename(this.blobPath(sha256), trash);
      return trash;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(`Could not move artifact content ${sha256} aside`, error);
    }
  }

  /** Trash files (from this gc or one that crashed) with the digest they hold. */
  async listTrash(): Promise<{ file: string; sha256: string; size: number }[]> {
    const out: { file: string; sha256: string; size: number }[] = [];
    const names = await fs.promises.readdir(this.trashDir).catch(() => [] as string[]);
    for (const name of names) {
      const sha256 = name.slice(0, 64);
      const file = path.join(this.trashDir, name);
      const st = await fs.promises.lstat(file).catch(() => undefined);
      if (isSha256(sha256) && st?.isFile()) out.push({ file, sha256, size: st.size });
    }
    return out;
  }

  /** Puts a quarantined blob back (overwriting an identical copy a writer may have re-put meanwhile). */
  async restore(trashFile: string, sha256: string): Promise<void> {
    const target = this.blobPath(sha256);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(trashFile, target);
    await syncDir(path.dirname(target));
  }

  /** Temp files older than `olderThanMs` (left by crashed writers), as absolute paths. */
  async staleTempFiles(olderThanMs: number): Promise<{ file: string; size: number }[]> {
    const out: { file: string; size: number }[] = [];
    const names = await fs.promises.readdir(this.tmpDir).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      const st = await fs.promises.lstat(file).catch(() => undefined);
      if (st?.isFile() && st.mtimeMs < olderThanMs) out.push({ file, size: st.size });
    }
    return out;
  }
}
