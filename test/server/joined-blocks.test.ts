/**
 * The remote store's sender joins consecutive block writes into one request
 * (sender.ts): far fewer requests than writes, every point once and in
 * order; and when a joined request is refused (one write names a run the
 * server does not have), each write still gets its own answer: the refused
 * one rejects with the server's code, the others land once. Real server,
 * real SQLite and PostgreSQL stores.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open-store';
import { testStores } from '../support/test-stores';
import { MAX_JOINED_FRAMES } from '../../src/store/http/block-uploads';
import { COLUMNS_MEDIA_TYPE, encodeColumnFrame, frameEncodedBlocks } from '../../src/store/http/column-frames';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from './server-fixture';

const block = (runId: string, from: number, n = 100) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => Math.sin(from + i)),
});

for (const kind of testStores()) {
  test(`${kind.name}: consecutive block writes go joined, a refused joined request answers each write on its own, every point lands once`, { skip: kind.skip, timeout: 120_000 }, () => withTempHome('tracklab-joined-', async () => {
    const f = await startServerFixture(kind);
    const remote = await openStore(f.url);
    try {
      const exp = await f.backend.tracking.ensureExperiment('joined');
      await remote.tracking.createRun({ runId: 'j1', runName: 'j1', experimentId: exp.experimentId, startTime: 1 });
      const blockRequests = () => f.log.filter((e) => e.path === '/api/tracklab/v1/metrics/blocks').length;

      const before = blockRequests();
      await Promise.all(Array.from({ length: 60 }, (_, i) => remote.tracking.appendMetrics([block('j1', i * 100)])));
      const joined = blockRequests() - before;
      assert.ok(joined <= 4, `60 block writes took ${joined} requests`);
      assert.deepEqual((await f.backend.tracking.readMetrics(['j1'])).flatMap((b) => [...b.steps]), Array.from({ length: 6000 }, (_, i) => i));

      // A write for a run the server lacks, between sound ones: its own refusal; the others land once.
      const writes = [
        remote.tracking.appendMetrics([block('j1', 6000)]),
        remote.tracking.appendMetrics([block('j1', 6100)]),
        remote.tracking.appendMetrics([block('ghost', 0)]),
        remote.tracking.appendMetrics([block('j1', 6200)]),
        remote.tracking.appendMetrics([block('j1', 6300)]),
      ];
      const answers = await Promise.allSettled(writes);
      assert.deepEqual(answers.map((a) => a.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const refusal = (answers[2] as PromiseRejectedResult).reason as { code: string; message: string };
      assert.equal(refusal.code, 'RESOURCE_DOES_NOT_EXIST');
      assert.match(refusal.message, /ghost/);
      assert.ok(f.log.some((e) => e.path === '/api/tracklab/v1/metrics/blocks' && e.status === 404), 'a joined request was refused');
      assert.deepEqual((await f.backend.tracking.readMetrics(['j1'])).flatMap((b) => [...b.steps]), Array.from({ length: 6400 }, (_, i) => i));

      // After the refused ones, writes are joined again.
      const again = blockRequests();
      await Promise.all(Array.from({ length: 20 }, (_, i) => remote.tracking.appendMetrics([block('j1', 6400 + i * 100)])));
      assert.ok(blockRequests() - again <= 3, `20 block writes took ${blockRequests() - again} requests: ${JSON.stringify(f.log.slice(-12).map((e) => [e.path.slice(-12), e.status]))}`);
      assert.equal((await f.backend.tracking.getRun('j1')).data.metrics.loss?.count, 8400);
    } finally {
      await remote.close();
      await f.close();
    }
  }));
}

for (const kind of testStores()) {
  test(`${kind.name}: a joined upload whose later frame holds a block that does not decode is refused 400 with nothing of it stored`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('joined-bad');
      await f.backend.tracking.createRun({ runId: 'jb', runName: 'jb', experimentId: exp.experimentId, startTime: 1 });
      const sound = (n: number) => encodeColumnFrame(`legacy-${n}`, [block('jb', n * 100)]);
      // Hashed as it is: the hash matches, only decoding can tell.
      const garbage = frameEncodedBlocks('legacy-bad', [{ runId: 'jb', key: 'loss', data: new Uint8Array(64).fill(7) }]);
      const res = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), {
        method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: Buffer.concat([sound(0), sound(1), garbage, sound(2)]),
      });
      const answer = await res.json() as { error_code: string; message: string };
      assert.equal(res.status, 400);
      assert.equal(answer.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(answer.message, /malformed/);
      assert.deepEqual(await f.backend.tracking.readMetrics(['jb']), [], 'no frame of the refused upload is stored');
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a joined upload of more frames than a request takes is refused 400 with nothing of it stored`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('joined-many');
      await f.backend.tracking.createRun({ runId: 'jm', runName: 'jm', experimentId: exp.experimentId, startTime: 1 });
      const frames = Array.from({ length: MAX_JOINED_FRAMES + 1 }, (_, n) => encodeColumnFrame(`many-${n}`, [block('jm', n * 100, 1)]));
      const res = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), {
        method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: Buffer.concat(frames),
      });
      const answer = await res.json() as { error_code: string; message: string };
      assert.equal(res.status, 400);
      assert.equal(answer.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(answer.message, new RegExp(`holds ${MAX_JOINED_FRAMES + 1} frames; a request takes at most ${MAX_JOINED_FRAMES}`));
      assert.deepEqual(await f.backend.tracking.readMetrics(['jm']), [], 'nothing of the refused upload is stored');
      const ok = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), {
        method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: Buffer.concat(frames.slice(0, MAX_JOINED_FRAMES)),
      });
      assert.equal(ok.status, 200, 'as many frames as a request takes are taken');
      assert.equal((await f.backend.tracking.getRun('jm')).data.metrics.loss?.count, MAX_JOINED_FRAMES);
    } finally {
      await f.close();
    }
  });
}
