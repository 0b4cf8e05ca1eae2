/**
 * Copying and checking the live SQLite database. Copying `tracklab.db` with
 * `cp` while others write gives a torn file (pages of different moments, and
 * none of what still sits in the WAL); SQLite's online backup API copies a
 * consistent snapshot instead, page by page, without stopping writers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TracklabError } from '../../errors';
import type { CopyProgress } from '../store';
import { type Connection, DB_FILE } from './connection';
import { translateSqliteError } from './sqlite-errors';

/** Pages per step while no other process writes: small steps give a progress line and never hold the file long. */
const STEPS = 50;
const ALL_PAGES = 0x7fffffff;

/**
 * Writes a consistent copy of the database to `<destRoot>/tracklab.db`.
 *
 * A stepwise copy starts over whenever another process writes between two
 * steps (writes through this connection are carried into the copy instead).
 * Under steady writers it would start over forever, so after the first
 * restart the rest is copied in one step: one read transaction, a snapshot
 * that writers in WAL mode do not wait for.
 */
export async function copyDatabase(conn: Connection, destRoot: string, onProgress?: (progress: CopyProgress) => void): Promise<void> {
  const target = path.join(destRoot, DB_FILE);
  if (fs.existsSync(target)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${target} already exists. Back up into a new or empty folder.`);
  }
  let previous = Number.POSITIVE_INFINITY;
  let restarted = false;
  let total = 0;
  try {
    await conn.db.backup(target, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > previous) restarted = true;
        previous = remainingPages;
        total = totalPages;
        onProgress?.({ done: totalPages - remainingPages, total: totalPages });
        return restarted ? ALL_PAGES : Math.max(100, Math.ceil(totalPages / STEPS));
      },
    });
  } catch (err) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(target + suffix, { force: true });
    throw translateSqliteError(err, `back up the store to ${target}`, conn.file);
  }
  onProgress?.({ done: total, total });
}

/**
 * SQLite's `integrity_check` (every page, index and constraint) plus
 * `foreign_key_check`, as sentences. Empty when the database is sound.
 */
export function checkDatabase(conn: Connection): string[] {
  try {
    const problems = (conn.db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .filter((line) => line !== 'ok');
    const orphans = conn.db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
    for (const r of orphans) problems.push(`row ${r.rowid ?? '?'} of table ${r.table} refers to a missing row of ${r.parent}`);
    return problems;
  } catch (err) {
    // A damaged file can make the check itself fail (SQLITE_CORRUPT, SQLITE_NOTADB): that is the finding.
    return [`the integrity check could not run: ${err instanceof Error ? err.message : String(err)}`];
  }
}
