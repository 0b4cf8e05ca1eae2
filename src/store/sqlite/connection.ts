/**
 * One open SQLite file with the settings every tracklab process must agree
 * on, a prepared-statement cache, and the two transaction shapes the store
 * uses. All driver errors are translated here, at the transaction boundary.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TracklabError } from '../../errors';
import { SQLITE_FILE } from '../store-uri';
import { migrate } from './migrate';
import { assertLocalFileSystem } from './file-system';
import { migrations, type Migration } from './schema';
import { registerSearchFunctions } from './search-functions';
import { errorCode, translateSqliteError } from './sqlite-errors';

export const DB_FILE = SQLITE_FILE;
const BUSY_TIMEOUT_MS = 10_000;
/**
 * The most WAL a store keeps once no reader holds it back: above the ~16 MB
 * that `wal_autocheckpoint = 4000` lets it reach in normal use, so normal use
 * never pays for the truncating checkpoint below.
 */
export const WAL_LIMIT_BYTES = 24 * 1024 * 1024;
/** How often (writes, or ms after a long read) a connection looks at the WAL's size. */
const WAL_CHECK_EVERY_WRITES = 32;
const LONG_READ_MS = 1000;
/** Search SQL varies with the filter's shape; past this many cached statements the cache starts over. */
const MAX_CACHED_STATEMENTS = 512;

export interface Connection {
  readonly db: Database.Database;
  readonly file: string;
  /** Migration versions this open applied (empty if they were already there). */
  readonly applied: readonly number[];
  /** A prepared statement for `sql`, prepared once per connection. */
  stmt(sql: string): Database.Statement;
  /** Runs `fn` in one BEGIN IMMEDIATE transaction; `doing` names the operation for error messages. */
  write<T>(doing: string, fn: () => T): T;
  /** Runs `fn` in one read transaction, so multi-query reads see a single snapshot. */
  read<T>(doing: string, fn: () => T): T;
  /** SQLite's data_version: it changes when another connection commits, never for this one's own writes. */
  dataVersion(): number;
  close(): void;
}

/**
 * Opens (creating if needed) `<root>/tracklab.db`, or the database file
 * `file` when given, in WAL mode and migrates it.
 *
 * @example
 * const conn = openConnection('/tmp/store');
 * conn.write('touch', () => conn.stmt('SELECT 1').get());
 */
export function openConnection(root: string, list: readonly Migration[] = migrations, file = path.join(root, DB_FILE)): Connection {
  let db: Database.Database;
  let applied: number[];
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    assertLocalFileSystem(path.dirname(file));
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw translateSqliteError(asEngineError(err), `open the store at ${file}`, file);
  }
  try {
    enableWal(db);
    db.pragma('synchronous = NORMAL');
    // Each run writes ~80 scattered index pages; a larger WAL checkpoints less often and copies each hot page back
    // once per checkpoint instead of once per 1000 frames (about 0.15 ms CPU less per run). Costs up to ~16 MB of WAL.
    db.pragma('wal_autocheckpoint = 4000');
    // A reader held open during writes stops checkpoints short, and the WAL grows past that; without a limit it
    // never shrinks while any connection stays open (SQLite reuses the file from its start but keeps its size).
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    db.pragma('foreign_keys = ON');
    // Multi-row statements need a statement journal; on disk that is a temp file created and unlinked per write.
    db.pragma('temp_store = MEMORY');
    registerSearchFunctions(db);
    applied = migrate(db, list);
  } catch (err) {
    db.close();
    throw translateSqliteError(err, `open the store at ${file}`, file);
  }
  return makeConnection(db, file, applied);
}

/**
 * Switching a fresh file to WAL needs an exclusive lock, and SQLite answers
 * SQLITE_BUSY at once instead of calling the busy handler when other
 * processes are opening the same file. Retry until the busy timeout.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!errorCode(err)?.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, delay);
    }
  }
}

/**
 * Shrinks a WAL that a long reader let grow past WAL_LIMIT_BYTES, once the
 * reader is gone: a TRUNCATE checkpoint copies every frame back and empties
 * the file. It never waits: with a zero busy timeout a checkpoint that would
 * have to wait for a reader or writer gives up at once and is tried again
 * after later writes.
 */
function shrinkWal(db: Database.Database, file: string): void {
  const size = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= WAL_LIMIT_BYTES) return;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Busy or locked: another process is writing; a later check tries again.
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

function makeConnection(db: Database.Database, file: string, applied: readonly number[]): Connection {
  const cache = new Map<string, Database.Statement>();
  let writesSinceWalCheck = 0;
  const checkWal = (): void => {
    writesSinceWalCheck = 0;
    if (db.inTransaction) return; // a nested call: the outer one checks when it ends
    try {
      shrinkWal(db, file);
    } catch {
      // Only an optimisation: the write it follows has committed.
    }
  };
  // One transaction wrapper for every operation: the closure is its argument.
  const tx = db.transaction((fn: () => unknown) => fn());
  let closed = false;

  function ensureOpen(doing: string): void {
    if (closed) {
      throw new TracklabError('INVALID_STATE', `Could not ${doing}: this store was closed. Open it again with SqliteStore.open(root).`);
    }
  }

  return {
    db,
    file,
    applied,
    stmt(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
    write<T>(doing: string, fn: () => T): T {
      ensureOpen(doing);
      let result: T;
      try {
        result = tx.immediate(fn) as T;
      } catch (err) {
        throw translateSqliteError(err, doing, file);
      }
      if (++writesSinceWalCheck >= WAL_CHECK_EVERY_WRITES) checkWal();
      return result;
    },
    read<T>(doing: string, fn: () => T): T {
      ensureOpen(doing);
      const started = Date.now();
      let result: T;
      try {
        result = tx.deferred(fn) as T;
      } catch (err) {
        throw translateSqliteError(err, doing, file);
      }
      // A long read held checkpoints back; now that it ended, the WAL may be shrunk.
      if (Date.now() - started >= LONG_READ_MS) checkWal();
      return result;
    },
    dataVersion() {
      ensureOpen('read the data version');
      return this.stmt('PRAGMA data_version').pluck(true).get() as number;
    },
    close() {
      if (closed) return;
      closed = true;
      cache.clear();
      db.close();
    },
  };
}

/** File-system errors from opening carry codes like EACCES; give them the engine's shape for one message path. */
function asEngineError(err: unknown): unknown {
  if (err instanceof TracklabError) return err;
  const code = errorCode(err);
  if (code !== undefined && !code.startsWith('SQLITE_')) {
    return Object.assign(new Error((err as Error).message, { cause: err }), { code: 'SQLITE_CANTOPEN' });
  }
  return err;
}
