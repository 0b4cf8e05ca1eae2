/**
 * Issue 10, item 3 (doctor): `tracklab doctor` finds what a test did to a
 * store (damaged, missing and trashed content, orphans, a stale lock, a run
 * whose process was SIGKILLed, a damaged database index), reports it without
 * changing anything, and repairs what can be repaired only with --fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { TrackingClient } from '../../src/tracking/client';
import { spawnChild } from '../tracking/spawn-child';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function doctor(home: string, ...flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, '--home', home, 'doctor', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  proc.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Lines of a report of one kind and state, e.g. ('PROBLEM', 'stuck-run'). */
function lines(stdout: string, state: 'PROBLEM' | 'FIXED', kind: string): string[] {
  return stdout.split('\n').filter((l) => l.includes(`${state === 'FIXED' ? 'FIXED  ' : 'PROBLEM'}  [${kind}]`));
}

function statusOf(home: string, runId: string): string {
  const db = new Database(path.join(home, 'tracklab.db'), { readonly: true });
  try {
    return (db.prepare('SELECT status FROM runs WHERE run_id = ?').get(runId) as { status: string }).status;
  } finally {
    db.close();
  }
}

function ageFile(file: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(file, then, then);
}

test('doctor reports the damage a test did to a store, changes nothing, and --fix repairs what can be repaired', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-doctor-'));
  const client = new TrackingClient({ home });
  const { runId } = await client.createRun({ experiment: 'doctor' });
  const text = (name: string): string => `${name}: ${'content '.repeat(200)}\n`;
  const entry: Record<string, { sha256: string; size: number }> = {};
  for (const name of ['truncated', 'flipped', 'deleted', 'trashed', 'intact']) {
    [entry[name]] = await client.logArtifact(runId, { text: text(name) }, `${name}.txt`);
  }
  const content = (await client.core.artifacts()).content;
  const blob = (name: string): string => content.blobPath(entry[name].sha256);
  // The damage:
  fs.chmodSync(blob('truncated'), 0o644);
  fs.truncateSync(blob('truncated'), 10);
  const flipped = fs.readFileSync(blob('flipped'));
  flipped[5] ^= 0x20;
  fs.chmodSync(blob('flipped'), 0o644);
  fs.writeFileSync(blob('flipped'), flipped);
  fs.rmSync(blob('deleted'));
  await content.quarantine(entry.trashed.sha256); // as a gc that crashed between its two phases leaves it
  const orphan = await content.put(Buffer.from('referenced by nothing'));
  ageFile(content.blobPath(orphan.sha256), 10 * 60_000);
  const temp = path.join(content.tmpDir, '999999-crashed-writer.part');
  fs.writeFileSync(temp, 'half of something');
  ageFile(temp, 2 * 60 * 60_000);
  const lock = path.join(home, 'artifacts', 'gc.lock');
  fs.writeFileSync(lock, '');
  await client.close();
  const child = spawnChild(home, ['sigkill', '10']);
  const stuck = await child.ready;
  child.proc.kill('SIGKILL');
  await child.done;

  // 1. Report only.
  const report = await doctor(home);
  assert.equal(report.code, 1, report.stderr);
  assert.match(report.stdout, /ok {7}database: integrity check passed/);
  const damaged = lines(report.stdout, 'PROBLEM', 'damaged-content');
  assert.equal(damaged.length, 2, report.stdout);
  assert.ok(damaged.some((l) => l.includes('"truncated.txt"') && l.includes('(10 bytes')), report.stdout);
  assert.ok(damaged.some((l) => l.includes('"flipped.txt"')), report.stdout);
  const missing = lines(report.stdout, 'PROBLEM', 'missing-content');
  assert.equal(missing.length, 2, report.stdout);
  assert.ok(missing.some((l) => l.includes('"deleted.txt"')) && missing.some((l) => l.includes('"trashed.txt"')));
  assert.match(report.stdout, /restore it from the trash of an interrupted gc/);
  assert.match(lines(report.stdout, 'PROBLEM', 'orphan-content')[0] ?? '', /1 blob that no run or model version references, 1 temp file older than an hour/);
  assert.equal(lines(report.stdout, 'PROBLEM', 'stale-lock').length, 1);
  assert.match(lines(report.stdout, 'PROBLEM', 'stuck-run')[0] ?? '', new RegExp(`\\(${stuck}\\) is RUNNING, but the process that ran it is gone`));
  assert.match(report.stdout, /7 problem\(s\); 6 can be repaired with "tracklab doctor --fix"; 1 need the steps shown\.$/m);
  assert.equal(report.stderr, '', 'no progress lines into a pipe (test/cli/doctor-progress.test has the terminal)');
  // ... and nothing changed.
  assert.equal(fs.statSync(blob('truncated')).size, 10);
  assert.ok(fs.existsSync(content.blobPath(orphan.sha256)) && fs.existsSync(temp) && fs.existsSync(lock));
  assert.equal((await content.listTrash()).length, 1);
  assert.equal(statusOf(home, stuck), 'RUNNING');

  // 2. Repair.
  const fixed = await doctor(home, '--fix');
  assert.equal(fixed.code, 1, 'the deleted content cannot come back');
  for (const kind of ['damaged-content', 'orphan-content', 'stale-lock', 'stuck-run']) assert.ok(lines(fixed.stdout, 'FIXED', kind).length > 0, `${kind} fixed:\n${fixed.stdout}`);
  assert.ok(lines(fixed.stdout, 'FIXED', 'missing-content').some((l) => l.includes('"trashed.txt"')));
  assert.ok(lines(fixed.stdout, 'PROBLEM', 'missing-content').some((l) => l.includes('"deleted.txt"')));
  assert.equal(statusOf(home, stuck), 'CRASHED');
  assert.ok(!fs.existsSync(content.blobPath(orphan.sha256)) && !fs.existsSync(temp) && !fs.existsSync(lock));
  assert.equal(fs.readdirSync(path.join(home, 'artifacts', 'damaged')).length, 2, 'damaged content is kept aside for inspection');

  // 3. What is left: the lost content, with what to do about it.
  const after = await doctor(home);
  assert.equal(after.code, 1);
  assert.deepEqual(after.stdout.split('\n').filter((l) => l.includes('PROBLEM')).map((l) => /"(\w+)\.txt"/.exec(l)?.[1]).sort(), ['deleted', 'flipped', 'truncated']);
  assert.match(after.stdout, /log those files again/);

  // 4. Logging the files again makes the store whole.
  const again = new TrackingClient({ home });
  try {
    for (const name of ['truncated', 'flipped', 'deleted']) await again.logArtifact(runId, { text: text(name) }, `${name}.txt`);
    const restored = await again.downloadArtifacts({ runId, path: 'trashed.txt' }, fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-doctor-out-')));
    assert.equal(fs.readFileSync(restored, 'utf8'), text('trashed'));
  } finally {
    await again.close();
  }
  const healthy = await doctor(home);
  assert.equal(healthy.code, 0, healthy.stdout);
  assert.match(healthy.stdout, /No problems found\.$/m);
});

test('doctor reports a damaged database index (exit 1, no stack) and leaves it for a restore', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-doctor-'));
  const client = new TrackingClient({ home });
  const { runId } = await client.createRun({ experiment: 'damage-me' });
  await client.setTerminated(runId, 'FINISHED');
  await client.close();
  // With every connection closed the WAL is folded into the file. Change one byte of the experiment's name in the
  // index over experiment names (not in the table): the file still opens, but table and index disagree.
  const file = path.join(home, 'tracklab.db');
  const db = new Database(file, { readonly: true });
  const indexes = db.prepare(`SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'experiments'`).all() as { name: string; rootpage: number }[];
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = fs.readFileSync(file);
  const damaged = indexes.find(({ rootpage }) => bytes.subarray((rootpage - 1) * pageSize, rootpage * pageSize).includes('damage-me'));
  assert.ok(damaged, 'the name is on an index root page');
  const page = bytes.subarray((damaged.rootpage - 1) * pageSize, damaged.rootpage * pageSize);
  page[page.indexOf('damage-me')] = 'x'.charCodeAt(0);
  fs.writeFileSync(file, bytes);

  const report = await doctor(home);
  assert.equal(report.code, 1, report.stderr);
  assert.match(report.stdout, new RegExp(`PROBLEM {2}\\[database\\] database: .*${damaged.name}`));
  assert.match(report.stdout, /restore the store from a backup \("tracklab backup" makes one\)/);
  assert.doesNotMatch(report.stdout + report.stderr, /\n\s+at /, 'no stack trace');
  const fixed = await doctor(home, '--fix');
  assert.equal(fixed.code, 1, 'a damaged database is not "repaired" behind the user\'s back');
});
