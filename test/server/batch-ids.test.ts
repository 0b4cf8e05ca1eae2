/**
 * Batch ids after the security review (attacker): a column frame may not
 * carry a malformed `s:<sender>:<n>` (it was taken as an ordinary id, and a
 * huge n moved a sender's mark), ordinary ids are scoped per run (one
 * client's id no longer skips another's write to another run), a joined
 * upload refused for any reason stores nothing of itself, and a joined
 * upload that repeats a batch id is refused. Real server, real SQLite and
 * PostgreSQL stores, raw HTTP as an attacker sends it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTrackingServer } from '../../src/server/tracking-server';
import { COLUMNS_MEDIA_TYPE, encodeColumnFrame } from '../../src/store/http/column-frames';
import { openStore } from '../../src/store/open-store';
import { testStores } from '../support/test-stores';
import { startServerFixture, type ServerFixture } from './server-fixture';

const block = (runId: string, from: number, n = 10) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => 1 / (from + i + 1)),
});

async function upload(f: ServerFixture, ...frames: Buffer[]): Promise<{ status: number; body: { error_code?: string; message?: string; points?: number } }> {
  const res = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), {
    method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: Buffer.concat(frames),
  });
  return { status: res.status, body: await res.json() as never };
}

async function steps(f: ServerFixture, runId: string): Promise<number[]> {
  return (await f.backend.tracking.readMetrics([runId], ['loss'])).flatMap((b) => [...b.steps]);
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

for (const kind of testStores()) {
  test(`${kind.name}: a frame whose s: batch id is not s:<sender>:<n> with a safe n is refused 400 and moves no mark`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('sequenced');
      await f.backend.tracking.createRun({ runId: 'sq', runName: 'sq', experimentId: exp.experimentId, startTime: 1 });
      const bad = [
        's:victim:99999999999999999', // 17 digits: was taken as an ordinary id
        `s:victim:${Number.MAX_SAFE_INTEGER + 1}`,
        's:victim:-1', 's:victim:01', 's:victim:1.5', 's:victim:', 's::5', 's:victim', `s:${'v'.repeat(101)}:1`,
      ];
      for (const id of bad) {
        const r = await upload(f, encodeColumnFrame(id, [block('sq', 1000)]));
        assert.equal(r.status, 400, `${id}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE', id);
        assert.match(r.body.message!, /starts with "s:".*s:<sender>:<n>/, id);
      }
      // In a joined upload the bad id refuses the whole request, the sound frame before it included.
      const joined = await upload(f, encodeColumnFrame('s:victim:1', [block('sq', 0)]), encodeColumnFrame('s:victim:1e9', [block('sq', 1000)]));
      assert.equal(joined.status, 400, JSON.stringify(joined.body));
      assert.deepEqual(await steps(f, 'sq'), [], 'nothing refused was stored');
      // The sender's writes from 1 up still land: no mark was raised.
      for (let n = 1; n <= 3; n++) assert.equal((await upload(f, encodeColumnFrame(`s:victim:${n}`, [block('sq', (n - 1) * 10)]))).status, 200);
      assert.equal((await upload(f, encodeColumnFrame(`s:victim:${Number.MAX_SAFE_INTEGER}`, [block('sq', 30)]))).status, 200, 'the largest safe n is taken');
      assert.deepEqual(await steps(f, 'sq'), range(0, 40));
      // Through the store call too (a log batch under a bad s: id).
      const call = await fetch(new URL('/api/tracklab/v1/store/logBatch', f.url), {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args: ['sq', { tags: { a: 'b' }, batchId: 's:victim:99999999999999999' }] }),
      });
      assert.equal(call.status, 400);
      assert.equal((await f.backend.tracking.getRun('sq')).data.tags.a, undefined);
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: an ordinary batch id is scoped per run: another client's upload under the same id to another run lands, a resend of either is skipped`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('scoped');
      for (const runId of ['mine', 'theirs']) await f.backend.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
      assert.equal((await upload(f, encodeColumnFrame('common-id', [block('theirs', 0)]))).status, 200);
      assert.equal((await upload(f, encodeColumnFrame('common-id', [block('mine', 0)]))).status, 200);
      assert.deepEqual(await steps(f, 'mine'), range(0, 10), 'the other client\'s id did not skip this write');
      assert.equal((await upload(f, encodeColumnFrame('common-id', [block('mine', 0)]))).status, 200);
      assert.equal((await upload(f, encodeColumnFrame('common-id', [block('theirs', 0)]))).status, 200);
      assert.deepEqual(await steps(f, 'mine'), range(0, 10), 'a resend is still skipped');
      assert.deepEqual(await steps(f, 'theirs'), range(0, 10));
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a joined upload whose later frame names a missing or deleted run is refused with nothing of it stored, and its sound frames land when sent again`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('joined-refused');
      for (const runId of ['live', 'gone']) await f.backend.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
      await f.backend.tracking.setRunLifecycle('gone', 'deleted');
      const sound = (n: number) => encodeColumnFrame(`sound-${n}`, [block('live', n * 10)]);

      const missing = await upload(f, sound(0), sound(1), encodeColumnFrame('to-ghost', [block('ghost', 0)]), sound(2));
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
      assert.equal(missing.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
      assert.match(missing.body.message!, /ghost/);
      assert.deepEqual(await steps(f, 'live'), [], 'no frame before the refused one was stored');

      const deleted = await upload(f, sound(0), encodeColumnFrame('to-deleted', [block('gone', 0)]));
      assert.equal(deleted.status, 400, JSON.stringify(deleted.body));
      assert.match(deleted.body.message!, /is deleted/);
      assert.deepEqual(await steps(f, 'live'), []);
      assert.deepEqual(await steps(f, 'gone'), []);

      // The refused requests recorded no batch id: the same frames, without the refused one, land (once).
      for (let i = 0; i < 2; i++) {
        const ok = await upload(f, sound(0), sound(1), sound(2));
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
      }
      assert.deepEqual(await steps(f, 'live'), range(0, 30));
    } finally {
      await f.close();
    }
  });

  test(`${kind.name}: a joined upload whose frames repeat a batch id is refused 400 with nothing of it stored`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('joined-dup');
      await f.backend.tracking.createRun({ runId: 'dup', runName: 'dup', experimentId: exp.experimentId, startTime: 1 });
      const r = await upload(f, encodeColumnFrame('same', [block('dup', 0)]), encodeColumnFrame('other', [block('dup', 10)]), encodeColumnFrame('same', [block('dup', 20)]));
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(r.body.message!, /Two frames of this block upload carry the batch id "same"/);
      assert.deepEqual(await steps(f, 'dup'), []);
      // Distinct ids: every point counted in the answer is stored.
      const ok = await upload(f, encodeColumnFrame('same', [block('dup', 0)]), encodeColumnFrame('other', [block('dup', 10)]));
      assert.equal(ok.status, 200);
      assert.equal(ok.body.points, 20);
      assert.deepEqual(await steps(f, 'dup'), range(0, 20));
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: over a store without appendMetricBatches, a joined upload's runs are all checked before any frame is stored`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const store = kind.create();
    const backend = await openStore(store.uri);
    // The real store, minus the optional method (as a store that does not offer it).
    const tracking = new Proxy(backend.tracking, { get: (t, p) => (p === 'appendMetricBatches' ? undefined : Reflect.get(t, p)) });
    const server = await startTrackingServer({ backend: { ...backend, tracking, registry: () => backend.registry(), close: () => backend.close() }, port: 0, artifactRoot: store.artifactRoot, log: () => undefined });
    const f = { url: server.url, backend } as ServerFixture;
    try {
      assert.equal(tracking.appendMetricBatches, undefined);
      const exp = await backend.tracking.ensureExperiment('fallback');
      for (const runId of ['live', 'gone']) await backend.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
      await backend.tracking.setRunLifecycle('gone', 'deleted');
      const sound = (n: number) => encodeColumnFrame(`sound-${n}`, [block('live', n * 10)]);
      const missing = await upload(f, sound(0), encodeColumnFrame('to-ghost', [block('ghost', 0)]));
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
      const deleted = await upload(f, sound(0), encodeColumnFrame('to-deleted', [block('gone', 0)]));
      assert.equal(deleted.status, 400, JSON.stringify(deleted.body));
      assert.match(deleted.body.message!, /is deleted/);
      assert.deepEqual(await steps(f, 'live'), []);
      assert.equal((await upload(f, sound(0), sound(1))).status, 200);
      assert.deepEqual(await steps(f, 'live'), range(0, 20));
    } finally {
      await server.close();
      await backend.close();
      await store.cleanup();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a joined upload racing the delete of one of its runs is stored whole or not at all, as its answer says`, { skip: kind.skip, timeout: 120_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('race');
      const outcomes = new Set<number>();
      for (let i = 0; i < 20; i++) {
        for (const runId of [`a${i}`, `b${i}`]) await f.backend.tracking.createRun({ runId, runName: runId, experimentId: exp.experimentId, startTime: 1 });
        const frames = [encodeColumnFrame(`race-a${i}`, [block(`a${i}`, 0)]), encodeColumnFrame(`race-b${i}`, [block(`b${i}`, 0)])];
        // The delete comes a little later each round, so it lands before, during and after the upload's transaction.
        const late = async () => { await new Promise((r) => setTimeout(r, i % 10)); await f.backend.tracking.setRunLifecycle(`b${i}`, 'deleted'); };
        const [answer] = await Promise.all([upload(f, ...frames), late()]);
        outcomes.add(answer.status);
        const stored = await steps(f, `a${i}`);
        if (answer.status === 200) assert.deepEqual(stored, range(0, 10), `round ${i}: answered 200, so stored`);
        else assert.deepEqual(stored, [], `round ${i}: refused ${answer.status} (${answer.body.message}), so nothing of it stored`);
      }
      assert.ok([...outcomes].every((s) => s === 200 || s === 400), JSON.stringify([...outcomes]));
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a joined upload that numbers one sender's writes out of order is refused 400 with nothing stored`, { skip: kind.skip, timeout: 60_000 }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('order');
      await f.backend.tracking.createRun({ runId: 'oo', runName: 'oo', experimentId: exp.experimentId, startTime: 1 });
      const backwards = await upload(f, encodeColumnFrame('s:snd:2', [block('oo', 10)]), encodeColumnFrame('s:snd:1', [block('oo', 0)]));
      assert.equal(backwards.status, 400, JSON.stringify(backwards.body));
      assert.equal(backwards.body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(backwards.body.message!, /"s:snd:1" comes after number 2 of the same sender/);
      assert.deepEqual(await steps(f, 'oo'), [], 'nothing stored');
      const inOrder = await upload(f, encodeColumnFrame('s:snd:1', [block('oo', 0)]), encodeColumnFrame('s:other:1', [block('oo', 20)]), encodeColumnFrame('s:snd:2', [block('oo', 10)]));
      assert.equal(inOrder.status, 200, JSON.stringify(inOrder.body));
      assert.equal(inOrder.body.points, 30);
      assert.equal((await steps(f, 'oo')).length, 30, 'every point the answer counts is stored');
    } finally {
      await f.close();
    }
  });
}
