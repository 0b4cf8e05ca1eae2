/**
 * The floor for creating runs: runs of 20 params, 5 tags and 10 metric
 * values in two narrow tables, one better-sqlite3 transaction each. Imports
 * only better-sqlite3, so raw-runs-child.ts can time it in a fresh process.
 */
import Database from 'better-sqlite3';
import * as path from 'node:path';

/** A store file for the raw runs in `dir`, with its tables. */
export function openRawRuns(dir: string): Database.Database {
  const db = new Database(path.join(dir, 'raw-runs.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT, start INTEGER); CREATE TABLE kv (run TEXT, kind TEXT, key TEXT, value TEXT, PRIMARY KEY (run, kind, key)) WITHOUT ROWID');
  return db;
}

/** Inserts `runs` runs, one transaction each. */
export function insertRawRuns(db: Database.Database, runs: number): void {
  const insRun = db.prepare('INSERT INTO runs VALUES (?, ?, ?)');
  const insKv = db.prepare('INSERT INTO kv VALUES (?, ?, ?, ?)');
  for (let r = 0; r < runs; r++) {
    db.transaction(() => {
      const id = `run-${r}`;
      insRun.run(id, `name-${r}`, Date.now());
      for (let p = 0; p < 20; p++) insKv.run(id, 'p', `param_${p}`, String(p * r));
      for (let t = 0; t < 5; t++) insKv.run(id, 't', `tag_${t}`, `v${t}`);
      for (let m = 0; m < 10; m++) insKv.run(id, 'm', `metric_${m}`, String(Math.random()));
    })();
  }
}
