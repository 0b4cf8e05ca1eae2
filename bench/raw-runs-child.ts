/**
 * The raw baseline of run creation in a fresh process, as new-user-child.ts
 * measures tracklab: require better-sqlite3, create a store file and its
 * tables, then 1,000 runs of one transaction each (the rows of
 * raw-runs.ts). The parent's own raw figure runs in a
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
// Required here, not imported: loading better-sqlite3 is part of what a fresh process pays.
const { insertRawRuns, openRawRuns } = require('./raw-runs') as typeof import('./raw-runs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-bench-raw-runs-'));
const db = openRawRuns(dir);
const opened = now();
insertRawRuns(db, RUNS);
const done = now();
db.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ runsPerSec: RUNS / ((done - t0) / 1000), openMs: opened - t0, runsPerSecAfterOpen: RUNS / ((done - opened) / 1000) }));
