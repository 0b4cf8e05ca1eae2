/**
 * The plain ways to store the same points, measured in the same run as
 * tracklab so figures are compared as ratios, not absolute numbers.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Series {
  readonly steps: Float64Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export function makeSeries(n: number, seed = 1): Series {
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let x = seed;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    steps[i] = i;
    timestamps[i] = t0 + Math.floor(i / 200);
    values[i] = Math.exp(-i / n) + (x / 2147483648) * 0.1;
  }
  return { steps, timestamps, values };
}

function open(dir: string, name: string): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** MLflow's layout: one row per point, all inserted in one transaction. */
export function rowPerPointInsert(dir: string, series: Series): { ms: number; bytes: number } {
  const db = open(dir, 'row-per-point.db');
  db.exec('CREATE TABLE metrics (run_id TEXT, key TEXT, step INTEGER, timestamp INTEGER, value REAL, PRIMARY KEY (run_id, key, timestamp, step, value))');
  const insert = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
  const t0 = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < series.values.length; i++) {
      insert.run('run-1', 'loss', series.steps[i], series.timestamps[i], series.values[i]);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  return { ms, bytes: fs.statSync(path.join(dir, 'row-per-point.db')).size };
}

/** Three raw Float64Array columns per 64k-point block: the floor for any columnar encoding. */
export function rawBlobInsert(dir: string, series: Series, blockSize = 65536): { ms: number; bytes: number } {
  const db = open(dir, 'raw-blob.db');
  db.exec('CREATE TABLE blocks (run_id TEXT, key TEXT, seq INTEGER, steps BLOB, timestamps BLOB, vals BLOB, PRIMARY KEY (run_id, key, seq))');
  const insert = db.prepare('INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?)');
  const t0 = process.hrtime.bigint();
  db.transaction(() => {
    for (let start = 0, seq = 0; start < series.values.length; start += blockSize, seq++) {
      const end = Math.min(start + blockSize, series.values.length);
      const blob = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset + start * 8, (end - start) * 8);
      insert.run('run-1', 'loss', seq, blob(series.steps), blob(series.timestamps), blob(series.values));
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  return { ms, bytes: fs.statSync(path.join(dir, 'raw-blob.db')).size };
}

/** Reading a row-per-point history back into typed arrays. */
export function rowPerPointRead(dir: string): number {
  const db = open(dir, 'row-per-point.db');
  const t0 = process.hrtime.bigint();
  const rows = db.prepare('SELECT step, timestamp, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step').raw().all('run-1', 'loss') as number[][];
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = rows[i][2];
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  return ms;
}
