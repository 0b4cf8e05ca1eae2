/**
 * The one place where file-system errors (errno codes) become TracklabErrors,
 * as sqlite-errors.ts is for the database. Each message names the file, says
 * what happened in words and what to do, and keeps the original as `cause`.
 */
import { TracklabError } from '../errors';

/** The errno code of a Node file-system error (`ENOSPC`, `EACCES`), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** True for the errors a full disk or an exhausted quota gives. */
export function isDiskFull(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/**
 * Translates an error from writing `file` while doing `doing` (e.g. "store
 * artifact content"). TracklabErrors pass through untouched. `after` is
 * appended to every message, e.g. "Nothing was recorded."
 */
export function fileWriteError(err: unknown, doing: string, file: string, after = ''): TracklabError {
  if (err instanceof TracklabError) return err;
  const code = errnoCode(err);
  const tail = after ? ` ${after}` : '';
  if (isDiskFull(err)) {
    return new TracklabError('INTERNAL_ERROR',
      `Could not ${doing}: the disk holding ${file} is full (${code}). Free space and try again.${tail}`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new TracklabError('INVALID_STATE',
      `Could not ${doing}: ${file} cannot be written (${code}). Check the folder's permissions, or write somewhere writable.${tail}`, { cause: err });
  }
  if (code === 'EIO') {
    return new TracklabError('INTERNAL_ERROR',
      `Could not ${doing}: the device holding ${file} reported an I/O error (EIO). Check the disk before trying again.${tail}`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new TracklabError('INTERNAL_ERROR',
    `Could not ${doing}: ${detail}. Check that the folder of ${file} exists, is writable and the disk is not full.${tail}`, { cause: err });
}

/** Errors that only writing gives (a full disk, a read-only or failing device), as opposed to a missing or unreadable input. */
export function isWriteFailure(err: unknown): boolean {
  const code = errnoCode(err);
  return isDiskFull(err) || code === 'EIO' || code === 'EROFS';
}

/** A written file that does not hold what was written: a failing disk, or something else writing it. */
export function verifyFailed(file: string, expected: string, got: string): Error {
  return new Error(`${file} holds ${got} after writing, not ${expected}; the disk or another process changed it`);
}
