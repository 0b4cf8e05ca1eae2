import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../errors';
import { SqliteStore } from '../store/sqlite/sqlite-store';
import { ArtifactRepository } from './artifact-repository';

let runCounter = 0;
async function setup(): Promise<{ store: SqliteStore; repo: ArtifactRepository; newRun: () => Promise<string> }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const store = SqliteStore.open(root);
  const exp = await store.ensureExperiment('gc');
  const newRun = async (): Promise<string> => {
    const runId = `gc${++runCounter}x${Date.now()}`;
    await store.createRun({ runId, runName: `gc-run-${runCounter}`, experimentId: exp.experimentId, startTime: Date.now() });
    return runId;
  };
  return { store, repo: new ArtifactRepository(store, path.join(root, 'artifacts')), newRun };
}

/** Makes a blob look older than gc's grace period. */
function age(repo: ArtifactRepository, sha256: string, ms = 10 * 60_000): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(repo.content.blobPath(sha256), then, then);
}

async function onDisk(repo: ArtifactRepository): Promise<string[]> {
  return (await repo.content.listBlobs()).map((b) => b.sha256).sort();
}

test('gc removes only blobs that deleted runs alone referenced', async () => {
  const { store, repo, newRun } = await setup();
  const [gone, kept] = [await newRun(), await newRun()];
  const [onlyGone] = await repo.logArtifact(gone, { text: 'only in the deleted run' }, 'a.txt');
  const [sharedA] = await repo.logArtifact(gone, { text: 'shared' }, 'shared.txt');
  const [sharedB] = await repo.logArtifact(kept, { text: 'shared' }, 'copy.txt');
  const [onlyKept] = await repo.logArtifact(kept, { text: 'only in the live run' }, 'b.txt');
  assert.equal(sharedA.sha256, sharedB.sha256);
  for (const e of [onlyGone, sharedA, onlyKept]) age(repo, e.sha256);
  await store.setRunLifecycle(gone, 'deleted');

  const dry = await repo.gc({ dryRun: true });
  assert.deepEqual(dry, { purgedRuns: 1, removedBlobs: 1, freedBytes: onlyGone.size });
  assert.equal((await onDisk(repo)).length, 3, 'a dry run deletes nothing');
  assert.equal((await store.getRun(gone)).info.lifecycleStage, 'deleted', 'a dry run purges nothing');

  const result = await repo.gc();
  assert.deepEqual(result, { purgedRuns: 1, removedBlobs: 1, freedBytes: onlyGone.size });
  assert.deepEqual(await onDisk(repo), [sharedA.sha256, onlyKept.sha256].sort());
  await assert.rejects(store.getRun(gone), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  assert.equal((await repo.openArtifact(kept, 'copy.txt')).toString(), 'shared');
  assert.deepEqual(await repo.gc(), { purgedRuns: 0, removedBlobs: 0, freedBytes: 0 }, 'a second gc finds nothing');
  store.close();
});

test('unreferenced blobs younger than the grace period stay unless forced', async () => {
  const { store, repo } = await setup();
  const fresh = await repo.content.put(Buffer.from('orphan, just written'));
  const old = await repo.content.put(Buffer.from('orphan, long ago'));
  age(repo, old.sha256);
  assert.deepEqual(await repo.gc(), { purgedRuns: 0, removedBlobs: 1, freedBytes: old.size });
  assert.deepEqual(await onDisk(repo), [fresh.sha256]);
  assert.deepEqual(await repo.gc({ force: true }), { purgedRuns: 0, removedBlobs: 1, freedBytes: fresh.size });
  assert.deepEqual(await onDisk(repo), []);
  await assert.rejects(repo.gc({ graceMs: -1 }), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  store.close();
});

test('relogging old unreferenced content refreshes it, so gc keeps it', async () => {
  const { store, repo, newRun } = await setup();
  const orphan = await repo.content.put(Buffer.from('reused later'));
  age(repo, orphan.sha256);
  const runId = await newRun();
  const fresh = Date.now();
  await repo.logArtifact(runId, Buffer.from('reused later'), 'again.txt');
  assert.ok(fs.statSync(repo.content.blobPath(orphan.sha256)).mtimeMs >= fresh - 1000, 'the dedupe hit touched the blob');
  await repo.gc();
  assert.deepEqual(await onDisk(repo), [orphan.sha256]);
  store.close();
});

test('trash left by a crashed gc is restored when referenced and deleted when not', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  const [live] = await repo.logArtifact(runId, { text: 'still referenced' }, 'x.txt');
  const dead = await repo.content.put(Buffer.from('nobody wants this'));
  // What a gc that died between its two phases leaves behind.
  await repo.content.quarantine(live.sha256);
  await repo.content.quarantine(dead.sha256);
  assert.deepEqual(await onDisk(repo), []);
  const result = await repo.gc();
  assert.deepEqual(result, { purgedRuns: 0, removedBlobs: 1, freedBytes: dead.size });
  assert.deepEqual(await onDisk(repo), [live.sha256]);
  assert.deepEqual(await repo.content.listTrash(), []);
  assert.equal((await repo.openArtifact(runId, 'x.txt')).toString(), 'still referenced');
  store.close();
});

test('stale temp files go, fresh ones (a writer in progress) stay', async () => {
  const { store, repo } = await setup();
  fs.mkdirSync(repo.content.tmpDir, { recursive: true });
  const stale = path.join(repo.content.tmpDir, '999-dead.part');
  const live = path.join(repo.content.tmpDir, '998-live.part');
  fs.writeFileSync(stale, 'x'.repeat(100));
  fs.writeFileSync(live, 'y');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  fs.utimesSync(stale, twoHoursAgo, twoHoursAgo);
  assert.deepEqual(await repo.gc(), { purgedRuns: 0, removedBlobs: 0, freedBytes: 100 });
  assert.deepEqual(fs.readdirSync(repo.content.tmpDir), ['998-live.part']);
  store.close();
});

test('a second gc while one holds the lock is refused; a dead holder is taken over', async () => {
  const { store, repo } = await setup();
  const lockFile = path.join(repo.content.root, 'gc.lock');
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname() }));
  await assert.rejects(repo.gc(), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /Another artifact gc is running/.test((e as Error).message));
  // A pid far above pid_max cannot be alive.
  fs.writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 30, host: os.hostname() }));
  assert.deepEqual(await repo.gc(), { purgedRuns: 0, removedBlobs: 0, freedBytes: 0 });
  assert.equal(fs.existsSync(lockFile), false, 'the lock is released');
  store.close();
});

test('gc racing writers never loses a referenced blob', async () => {
  const { store, repo, newRun } = await setup();
  let writing = true;
  const runs: string[] = [];
  const lost: string[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  const writer = (async () => {
    for (let i = 0; i < 120; i++) {
      const runId = await newRun();
      // The same bytes every time, logged right after the only run that
      // referenced them was deleted: gc may be purging it at that moment.
      if (runs.length > 0) await store.setRunLifecycle(runs[runs.length - 1], 'deleted');
      await repo.logArtifact(runId, { text: 'contended content' }, 'c.txt');
      await repo.logArtifact(runId, { text: `unique ${i}` }, `u${i}.txt`);
      // While a sweep is in flight the blob may sit in trash for an instant;
      // once that sweep is over it must be back.
      await inFlight;
      for (const entry of await repo.listArtifacts(runId)) {
        if (!(await repo.content.has(entry.sha256))) lost.push(`${runId}/${entry.path}`);
      }
      runs.push(runId);
    }
    writing = false;
  })();
  let sweeps = 0;
  while (writing) {
    inFlight = repo.gc({ force: true });
    await inFlight;
    sweeps++;
  }
  await writer;
  assert.ok(sweeps > 1, 'gc ran while the writer was writing');
  assert.deepEqual(lost, [], 'no manifest entry ever pointed at missing content');
  const last = runs[runs.length - 1];
  for (const entry of await repo.listArtifacts(last)) {
    assert.ok(await repo.content.has(entry.sha256), `${entry.path} of the live run still has its content`);
  }
  await repo.gc({ force: true });
  assert.equal((await repo.openArtifact(last, 'c.txt')).toString(), 'contended content');
  assert.equal((await onDisk(repo)).length, 2, 'only the live run\'s two blobs remain');
  store.close();
});
