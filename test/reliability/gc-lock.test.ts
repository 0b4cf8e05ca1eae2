/**
 * Issue 10, item 2: a gc that failed must not brick every later gc. The lock
 * file is never left half-written, and a lock that is empty, unreadable or
 * held by a process that is gone is taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { mountTmpfs, NEEDS_ROOT } from './tmpfs';

function lockFileOf(home: string): string {
  return path.join(home, 'artifacts', 'gc.lock');
}

const ORPHAN = Buffer.from('nobody references this');

async function storeWithGarbage(home: string): Promise<TrackingClient> {
  const client = new TrackingClient({ home });
  const run = await client.createRun({ experiment: 'gc-lock' });
  await client.logArtifact(run.runId, { text: 'kept' }, 'kept.txt');
  await (await client.core.artifacts()).content.put(ORPHAN);
  return client;
}

test('an empty or unreadable gc.lock left by a failed gc is taken over', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-gclock-'));
  const client = await storeWithGarbage(home);
  try {
    for (const leftover of ['', '{"pid":', 'not json at all', 'null', '{"pid":"12"}']) {
      fs.writeFileSync(lockFileOf(home), leftover);
      const result = await client.gc({ force: true });
      assert.equal(fs.existsSync(lockFileOf(home)), false, `the lock ${JSON.stringify(leftover)} was taken over and released`);
      assert.equal(typeof result.removedBlobs, 'number');
    }
    const orphan = createHash('sha256').update(ORPHAN).digest('hex');
    const kept = createHash('sha256').update('kept').digest('hex');
    const left = (await (await client.core.artifacts()).content.listBlobs()).map((b) => b.sha256);
    assert.ok(!left.includes(orphan) && left.includes(kept), 'the orphan went, the referenced blob stayed');
  } finally {
    await client.close();
  }
});

test('gc on a full disk fails with a clear error, leaves no lock, and the next gc works', { skip: NEEDS_ROOT }, async () => {
  const volume = mountTmpfs(8 * 1024 * 1024);
  const home = path.join(volume.dir, 'store');
  const client = await storeWithGarbage(home);
  try {
    const filler = volume.fill(0);
    await assert.rejects(client.gc({ force: true }), (e: unknown) => isTracklabError(e, 'INTERNAL_ERROR') && /is full \(ENOSPC\)/.test(e.message));
    assert.equal(fs.existsSync(lockFileOf(home)), false, 'a failed gc leaves no lock behind');
    fs.rmSync(filler);
    assert.equal((await client.gc({ force: true })).removedBlobs, 1);
  } finally {
    await client.close();
    volume.unmount();
  }
});

test('a lock whose owner was killed, or whose pid now names another process, is taken over; a live owner keeps it', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-gclock-'));
  const client = await storeWithGarbage(home);
  const gcLock = path.join(__dirname, '..', '..', 'src', 'artifacts', 'gc-lock.js');
  const holder = spawn(process.execPath, ['-e', `
    require(${JSON.stringify(gcLock)}).takeGcLock(${JSON.stringify(path.join(home, 'artifacts'))}, 'backup')
      .then(() => { process.stdout.write('LOCKED\\n'); setInterval(() => {}, 1000); });
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    holder.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: string) => { out += chunk; if (out.includes('LOCKED')) resolve(); });
      holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code} before taking the lock`)));
    });
    await assert.rejects(client.gc({ force: true }),
      (e: unknown) => isTracklabError(e, 'INVALID_STATE') && new RegExp(`A backup of this store is running \\(pid ${holder.pid} `).test(e.message));
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    assert.equal((await client.gc({ force: true })).removedBlobs, 1, 'the dead holder\'s lock was taken over');

    // This process is alive, but a lock that recorded another start time was taken by an earlier process with the same pid.
    fs.writeFileSync(lockFileOf(home), JSON.stringify({ pid: process.pid, host: os.hostname(), start: '1', purpose: 'gc' }));
    await client.gc({ force: true });
    assert.equal(fs.existsSync(lockFileOf(home)), false);
  } finally {
    holder.kill('SIGKILL');
    await client.close();
  }
});
