/**
 * The one place where SQLite's errors become TracklabErrors, so no
 * SqliteError leaves `src/store/`. Expected conflicts (an existing name, a
 * missing run) are checked before writing and get precise messages where they
 * happen; this file covers what slips past those checks (races, engine
 * failures) with messages that still say what to do.
 */
import { TracklabError } from '../../errors';

interface EngineError {
  readonly code: string;
  readonly message: string;
}

/** The `code` of a driver or file-system error (`SQLITE_BUSY`, `EACCES`), if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isEngineError(err: unknown): err is EngineError {
  return errorCode(err)?.startsWith('SQLITE_') === true;
}

/**
 * Converts any error thrown by better-sqlite3 into a TracklabError (with the
 * original as `cause`). TracklabErrors pass through untouched. `doing` names
 * the operation, e.g. `create run abc123`.
 */
export function translateSqliteError(err: unknown, doing: string, dbPath: string): TracklabError {
  if (err instanceof TracklabError) return err;
  if (!isEngineError(err)) {
    const detail = err instanceof Error ? err.message : String(err);
    return new TracklabError('INTERNAL_ERROR', `Could not ${doing}: ${detail}. This is a tracklab bug; please report it.`, { cause: err });
  }
  const { code, message } = err;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new TracklabError('RESOURCE_ALREADY_EXISTS',
      `Could not ${doing}: it already exists (${message}). Use a different id or name.`, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new TracklabError('RESOURCE_DOES_NOT_EXIST',
      `Could not ${doing}: it refers to a run or experiment that does not exist (it may have been purged).`, { cause: err });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new TracklabError('INVALID_PARAMETER_VALUE', `Could not ${doing}: a value is not allowed (${message}).`, { cause: err });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new TracklabError('INTERNAL_ERROR',
      `Could not ${doing}: the store at ${dbPath} stayed locked by another process for longer than the busy timeout. `
      + 'Retry; if it persists, look for a process holding a long transaction on that file (or a store on a network file system, which SQLite WAL does not support).',
      { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return new TracklabError('INVALID_STATE',
      `Could not ${doing}: the store at ${dbPath} cannot be written (${message}). Check the folder's permissions, or point TRACKLAB_HOME somewhere writable.`,
      { cause: err });
  }
  if (code === 'SQLITE_FULL') {
    return new TracklabError('INTERNAL_ERROR', `Could not ${doing}: the disk holding ${dbPath} is full. Free space and retry.`, { cause: err });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new TracklabError('INTERNAL_ERROR',
      `Could not ${doing}: ${dbPath} is damaged or not a tracklab store (${message}). Run "PRAGMA integrity_check" on it, or restore a backup.`,
      { cause: err });
  }
  return new TracklabError('INTERNAL_ERROR', `Could not ${doing}: SQLite failed with ${code} (${message}).`, { cause: err });
}
