/**
 * Who can name a sender can stop its writes (batch-sequence.ts): the
 * sender names of `tracklab sync` and of the remote store's outbox are
 * random, kept where their writes live, so an attacker who knows a run's
 * id and metric keys cannot raise a mark ahead of them. Real server, real
 * SQLite and PostgreSQL stores; the attacker uses raw HTTP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { COLUMNS_MEDIA_TYPE, encodeColumnFrame } from '../../src/store/http/column-frames';
import type { HttpStore } from '../../src/store/http/http-store';
import { openStore } from '../../src/store/open-store';
import { Outbox } from '../../src/store/sqlite/outbox-file';
import { SYNC_KEY_FILE, syncOfflineRuns } from '../../src/tracking/offline-sync';
import { testStores } from '../support/test-stores';
import { storeRows } from '../support/store-sql';
import { withTempHome } from '../support/temp-home';
import { startServerFixture, type ServerFixture } from './server-fixture';

const POINTS = 3000;
const block = (runId: string, from: number, n: number) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => 1 / (from + i + 1)),
});

async function attack(f: ServerFixture, batchId: string, runId: string, step: number): Promise<void> {
  const res = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), {
    method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: encodeColumnFrame(batchId, [block(runId, step, 1)]),
  });
  assert.equal(res.status, 200, await res.text());
}

for (const kind of testStores()) {
  test(`${kind.name}: tracklab sync's senders are keyed with the store's own random key: a mark raised under the guessable (run, key) sender skips nothing`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-sync-senders-', async (home) => {
    const f = await startServerFixture(kind);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-offline-store-'));
    const local = await openStore(folder);
    const remote = await openStore(f.url);
    try {
      const exp = await local.tracking.ensureExperiment('offline');
      await local.tracking.createRun({ runId: 'offline1', runName: 'offline1', experimentId: exp.experimentId, startTime: 1 });
      await local.tracking.appendMetrics([block('offline1', 0, POINTS)]);
      await local.tracking.updateRun('offline1', { status: 'FINISHED', endTime: 2 });

      // The attacker knows the run id and the key, creates the run first and raises the mark of the sender that
      // tracklab sync derived from them (sha256 of run and key) as far as it goes.
      const serverExp = await f.backend.tracking.ensureExperiment('offline');
      await f.backend.tracking.createRun({ runId: 'offline1', runName: 'offline1', experimentId: serverExp.experimentId, startTime: 1 });
      const guessable = `sync-${createHash('sha256').update('offline1').update('\0').update('loss').digest('hex').slice(0, 40)}`;
      await attack(f, `s:${guessable}:${Number.MAX_SAFE_INTEGER}`, 'offline1', 1_000_000);

      const options = { folder, server: f.url, log: () => undefined, stageContent: async () => undefined };
      const report = await syncOfflineRuns(local.tracking, remote.tracking, options);
      assert.equal(report.points, POINTS);
      const count = async () => (await f.backend.tracking.getRun('offline1')).data.metrics.loss?.count;
      assert.equal(await count(), POINTS + 1, 'every synced point landed beside the attacker\'s one');

      const keyFile = path.join(folder, SYNC_KEY_FILE);
      assert.match(fs.readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'the key is readable by its owner only');
      // A sync that forgot it synced the run (its list lost) sends the slices again under the same senders: skipped.
      fs.rmSync(path.join(folder, 'synced-runs.json'));
      await syncOfflineRuns(local.tracking, remote.tracking, options);
      assert.equal(await count(), POINTS + 1, 'the same key again: nothing duplicated');
    } finally {
      await remote.close();
      await local.close();
      fs.rmSync(folder, { recursive: true, force: true });
      await f.close();
    }
  }));

  test(`${kind.name}: the remote store numbers its batches under its outbox's random sender name, kept in the outbox and added to older outboxes on open`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-outbox-sender-', async () => {
    const f = await startServerFixture(kind);
    const remote = await openStore(f.url);
    try {
      const exp = await f.backend.tracking.ensureExperiment('senders');
      await remote.tracking.createRun({ runId: 'live1', runName: 'live1', experimentId: exp.experimentId, startTime: 1 });
      const outbox = (remote.tracking as HttpStore).sender.outbox;
      const sender = outbox.senderId();
      assert.match(sender, /^[A-Za-z0-9_-]{22}$/, '128 random bits');
      await remote.tracking.appendMetrics([block('live1', 0, 10)]);
      await remote.tracking.appendMetrics([block('live1', 10, 10)]);
      assert.equal((await f.backend.tracking.getRun('live1')).data.metrics.loss?.count, 20);
      assert.deepEqual(await storeRows(f.store, "SELECT sender, seq FROM applied_sequences WHERE run_id = 'live1'"), [{ sender, seq: 2 }],
        'the server keeps one mark, under the outbox\'s name');

      // An outbox file from before the name existed gets one when opened, and keeps it.
      const old = Outbox.create(path.join(os.tmpdir(), `tracklab-old-outbox-${process.pid}`), 'http://x', { pid: 1, host: 'h', processStart: 'p' });
      const oldFile = old.file;
      old.add('call', Buffer.from('{"method":"heartbeat","args":[[],0]}')); // an empty outbox is removed when closed
      old.close();
      const raw = new Database(oldFile);
      raw.prepare("DELETE FROM meta WHERE key = 'sender'").run();
      raw.close();
      const reopened = Outbox.open(oldFile);
      const given = reopened.senderId();
      reopened.close();
      assert.match(given, /^[A-Za-z0-9_-]{22}$/);
      const again = Outbox.open(oldFile);
      assert.equal(again.senderId(), given, 'made once, then kept');
      again.close();
      assert.notEqual(given, sender, 'each outbox its own');
      fs.rmSync(path.dirname(oldFile), { recursive: true, force: true });
    } finally {
      await remote.close();
      await f.close();
    }
  }));
}

for (const kind of testStores()) {
  test(`${kind.name}: a sync cut off and retried under another sender (key file lost, or the cut-off sync of an older version) goes on from what the server holds: no point twice; a damaged key file is refused, not replaced`, { skip: kind.skip, timeout: 120_000 }, async () => {
    const N = 120_000;
    const target = kind.create();
    const remote = await openStore(target.uri);
    const folders: string[] = [];
    const offline = async (runId: string) => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-sync-resume-'));
      folders.push(folder);
      const local = await openStore(folder);
      const exp = await local.tracking.ensureExperiment('offline');
      await local.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
      await local.tracking.appendMetrics([block(runId, 0, N)]);
      await local.tracking.updateRun(runId, { status: 'FINISHED', endTime: 2 });
      return { folder, local };
    };
    const options = (folder: string) => ({ folder, server: 'http://tracking.example', log: () => undefined, stageContent: async () => undefined });
    const stored = async (runId: string) => (await remote.tracking.readMetrics([runId])).reduce((n, b) => n + b.values.length, 0);
    /** The remote store with its appendMetrics failing after `calls` calls, as a connection lost mid-sync. */
    const cutAfter = (calls: number) => {
      let made = 0;
      return new Proxy(remote.tracking, {
        get(target, name) {
          if (name === 'appendMetrics') {
            return (...args: Parameters<typeof target.appendMetrics>) => (made++ >= calls ? Promise.reject(new Error('connection lost')) : target.appendMetrics(...args));
          }
          const value = (target as unknown as Record<string | symbol, unknown>)[name];
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    try {
      // The key file lost between a cut-off sync and its retry.
      const lost = await offline('resume-lost-key');
      await assert.rejects(syncOfflineRuns(lost.local.tracking, cutAfter(1), options(lost.folder)), /connection lost/);
      assert.equal(await stored('resume-lost-key'), 50_000, 'the first slice landed before the cut');
      fs.rmSync(path.join(lost.folder, SYNC_KEY_FILE));
      await syncOfflineRuns(lost.local.tracking, remote.tracking, options(lost.folder));
      assert.equal(await stored('resume-lost-key'), N, 'every point once');
      await lost.local.close();

      // The cut-off sync was an older version's, which named its sender sha256(run, key).
      const older = await offline('resume-older');
      const exp = await remote.tracking.ensureExperiment('offline');
      await remote.tracking.createRun({ runId: 'resume-older', runName: 'resume-older', experimentId: exp.experimentId, startTime: 1 });
      const oldSender = `sync-${createHash('sha256').update('resume-older').update('\0').update('loss').digest('hex').slice(0, 40)}`;
      await remote.tracking.appendMetrics([block('resume-older', 0, 50_000)], { batchId: `s:${oldSender}:1` });
      await syncOfflineRuns(older.local.tracking, remote.tracking, options(older.folder));
      assert.equal(await stored('resume-older'), N, 'every point once');
      const steps = (await remote.tracking.readMetrics(['resume-older'])).flatMap((b) => [...b.steps]);
      assert.deepEqual(steps, Array.from({ length: N }, (_, i) => i), 'in order, none twice');

      // A damaged key file: refused with what to do, never replaced behind the user's back.
      fs.writeFileSync(path.join(older.folder, SYNC_KEY_FILE), 'not a key\n');
      await assert.rejects(syncOfflineRuns(older.local.tracking, remote.tracking, options(older.folder)),
        (err: { code?: string; message: string }) => err.code === 'INVALID_STATE' && /is damaged .* Remove it and run tracklab sync again/.test(err.message));
      assert.equal(fs.readFileSync(path.join(older.folder, SYNC_KEY_FILE), 'utf8'), 'not a key\n');
      await older.local.close();
    } finally {
      await remote.close();
      await target.cleanup();
      for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
    }
  });
}
