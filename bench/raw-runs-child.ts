/**
 * The raw baseline of run creation in a fresh process, as new-user-child.ts
 * measures tracklab: require better-sqlite3, create a store file and its
 * tables, then 1,000 runs of one transaction each (the rows of
 * tracking-bench.ts's rawRunInsert). The parent's own raw figure runs in a
 * process that is already warm, so it cannot say what a fresh process can
 * reach at best. Prints one JSON line: runs/s counting the opening, the
 * opening's ms, and runs/s after it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const RUNS = 1000;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const t0 = now();
const Database = require('better-sqlite3') as typeof import('better-sqlite3');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-bench-raw-runs-'));
const db = new Database(path.join(dir, 'raw-runs.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT, start INTEGER); CREATE TABLE kv (run TEXT, kind TEXT, key TEXT, value TEXT, PRIMARY KEY (run, kind, key)) WITHOUT ROWID');
const insRun = db.prepare('INSERT INTO runs VALUES (?, ?, ?)');
const insKv = db.prepare('INSERT INTO kv VALUES (?, ?, ?, ?)');
const opened = now();
for (let r = 0; r < RUNS; r++) {
  db.transaction(() => {
    const id = `run-${r}`;
    insRun.run(id, `name-${r}`, Date.now());
    for (let p = 0; p < 20; p++) insKv.run(id, 'p', `param_${p}`, String(p * r));
    for (let t = 0; t < 5; t++) insKv.run(id, 't', `tag_${t}`, `v${t}`);
    for (let m = 0; m < 10; m++) insKv.run(id, 'm', `metric_${m}`, String(Math.random()));
  })();
}
const done = now();
db.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ runsPerSec: RUNS / ((done - t0) / 1000), openMs: opened - t0, runsPerSecAfterOpen: RUNS / ((done - opened) / 1000) }));
