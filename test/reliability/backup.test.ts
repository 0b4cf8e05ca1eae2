/**
 * Issue 10, item 3 (backup): copying tracklab.db during writes gave torn
 * copies ("no such table: runs"). `tracklab backup DEST` copies a consistent
 * snapshot plus the blobs it references while other processes keep writing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const hasScript = spawnSync('script', ['--version']).status === 0;

interface Writer {
  readonly proc: ChildProcess;
  readonly committed: string[];
  /** Resolves once the writer has committed at least `n` runs. */
  after(n: number): Promise<void>;
}

function startWriter(home: string, tag: string): Writer {
  const proc = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'busy-writer.js'), tag], {
    // A folder outside any git repository: no provenance diffs to compute per run.
    cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-writer-')),
    env: { ...process.env, TRACKLAB_HOME: home },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const committed: string[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  let buffer = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const m = /^COMMITTED (\S+)$/.exec(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (m) committed.push(m[1]);
    }
    for (const w of waiting.filter((x) => committed.length >= x.n)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(); }
  });
  const exited = new Promise<void>((_, reject) => proc.on('exit', (code) => reject(new Error(`writer ${tag} exited early (${code})`))));
  exited.catch(() => undefined);
  return {
    proc,
    committed,
    after: (n) => Promise.race([exited, new Promise<void>((resolve) => {
      if (committed.length >= n) resolve(); else waiting.push({ n, resolve });
    })]),
  };
}

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  proc.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })));
}

test('tracklab backup copies a live store while 3 processes keep writing: the copy opens, passes integrity_check and holds every run committed before', async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-live-'));
  const dest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-backup-')), 'copy');
  // A store with some weight, so the copy takes a while: 12 runs of 20k points and 2 MB of artifacts each.
  const seed = new TrackingClient({ home });
  const seeded = new Map<string, Buffer>();
  for (let r = 0; r < 12; r++) {
    const { runId } = await seed.createRun({ experiment: 'seed' });
    for (let step = 0; step < 20_000; step++) seed.logMetric(runId, 'loss', Math.sin(step) + r, step);
    const bytes = randomBytes(2 * 1024 * 1024);
    await seed.logArtifact(runId, bytes, 'weights.bin');
    await seed.setTerminated(runId, 'FINISHED');
    seeded.set(runId, bytes);
  }
  await seed.close();

  const writers = ['a', 'b', 'c'].map((tag) => startWriter(home, tag));
  try {
    await Promise.all(writers.map((w) => w.after(2)));
    // Every run committed before the backup begins is among these: they were read before it started.
    const before = new Database(path.join(home, 'tracklab.db'), { readonly: true });
    const committedBefore = (before.prepare(`SELECT run_id FROM runs WHERE status = 'FINISHED'`).all() as { run_id: string }[]).map((r) => r.run_id);
    before.close();
    const countAtStart = writers.reduce((n, w) => n + w.committed.length, 0);

    const backup = await run(['--home', home, 'backup', dest]);
    const committedDuring = writers.reduce((n, w) => n + w.committed.length, 0) - countAtStart;
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(backup.stderr, '', 'into a pipe, no progress lines');
    assert.match(backup.stdout, /^backed up .* to .*copy: the database and \d+ artifact blob\(s\)/);
    t.diagnostic(`${committedBefore.length} runs committed before the backup, ${committedDuring} while it ran`);
    assert.ok(committedDuring > 0 && writers.every((w) => w.proc.exitCode === null), 'the writers kept committing runs while the backup ran');

    const copy = new Database(path.join(dest, 'tracklab.db'), { readonly: true });
    assert.deepEqual(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    const inCopy = new Set((copy.prepare('SELECT run_id FROM runs').all() as { run_id: string }[]).map((r) => r.run_id));
    copy.close();
    const lost = committedBefore.filter((id) => !inCopy.has(id));
    assert.deepEqual(lost, [], `all ${committedBefore.length} runs committed before the backup are in the copy`);

    const restored = new TrackingClient({ home: dest });
    try {
      for (const [runId, bytes] of seeded) {
        const got = await restored.getRun(runId);
        assert.equal(got.data.metrics.loss.count, 20_000);
        const out = await restored.downloadArtifacts(`runs:/${runId}/weights.bin`, fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-restored-')));
        assert.ok(fs.readFileSync(out).equals(bytes), 'artifact content survives the copy');
      }
      for (const runId of committedBefore.filter((id) => !seeded.has(id))) {
        assert.match((await restored.listArtifacts(runId)).map((a) => a.path).join(), /note\.txt/);
        assert.match((await restored.downloadArtifacts(`runs:/${runId}/note.txt`, fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-restored-')))), /note\.txt$/);
      }
      const report = await restored.doctor();
      assert.deepEqual(report.findings, [], 'the copy is healthy');
    } finally {
      await restored.close();
    }
  } finally {
    for (const w of writers) w.proc.stdin!.end();
    await Promise.all(writers.map((w) => new Promise((resolve) => (w.proc.exitCode !== null ? resolve(null) : w.proc.once('exit', resolve)))));
  }
  for (const w of writers) assert.equal(w.proc.exitCode, 0, 'each writer finished cleanly');
});

test('client.backup refuses a destination that is not empty or lies inside the store, and a gc waits its turn', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-live-'));
  const client = new TrackingClient({ home });
  try {
    const { runId } = await client.createRun({ experiment: 'b' });
    await client.logArtifact(runId, { text: 'x' }, 'x.txt');
    const full = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-full-'));
    fs.writeFileSync(path.join(full, 'keep.txt'), 'mine');
    await assert.rejects(client.backup(full), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /not an empty folder/.test(e.message));
    assert.deepEqual(fs.readdirSync(full), ['keep.txt'], 'a refused destination is left as it was');
    await assert.rejects(client.backup(path.join(home, 'backup')), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /outside the store/.test(e.message));

    const dest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-backup-')), 'copy');
    const phases = new Set<string>();
    let gcDuring: unknown;
    const result = await client.backup(dest, {
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.phase === 'artifacts' && gcDuring === undefined) gcDuring = client.gc({ force: true }).then(() => 'ran', (e: unknown) => e);
      },
    });
    assert.deepEqual([...phases], ['database', 'artifacts']);
    assert.equal(result.blobs >= 1, true);
    const refused = await gcDuring;
    assert.ok(isTracklabError(refused, 'INVALID_STATE') && /A backup of this store is running/.test(refused.message), 'no gc runs while a backup copies blobs');
    assert.deepEqual((await client.gc({ force: true })).removedBlobs, 0, 'after the backup, gc runs again');
  } finally {
    await client.close();
  }
});

test('tracklab backup on a terminal shows its progress per phase', { skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal' }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-live-'));
  const dest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-backup-')), 'copy');
  const client = new TrackingClient({ home });
  const { runId } = await client.createRun({ experiment: 'tty' });
  await client.logArtifact(runId, randomBytes(2 * 1024 * 1024), 'weights.bin');
  await client.setTerminated(runId);
  await client.close();
  // util-linux script gives the process a pseudo-terminal; what it printed comes back on script's stdout.
  const command = [process.execPath, CLI, '--home', home, 'backup', dest].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  const printed = tty.stdout.replace(/\r/g, '');
  assert.match(printed, /^backup: database 100% \((\d+)\/\1 pages\)$/m, 'a progress line for the database');
  assert.match(printed, /^backup: artifacts 100% \((\d+)\/\1 blobs\), [\d.]+ MB$/m, 'a progress line for the artifacts');
  assert.match(printed, /^backed up .* to .*copy: the database and \d+ artifact blob\(s\)/m);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(path.dirname(dest), { recursive: true, force: true });
});
