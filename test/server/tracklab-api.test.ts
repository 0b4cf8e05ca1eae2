/**
 * tracklab's fast paths beside MLflow's API (/api/tracklab/v1/), over a real
 * server on each store: metric history as an Arrow IPC stream (one key, many
 * keys), read by polars (no code shared with apache-arrow); points uploaded
 * as column blocks, in the binary frame and as an Arrow IPC stream, where
 * sending a batch again never duplicates points, and a frame with one
 * damaged block (malformed, or not the bytes its content hash names) is
 * refused whole with nothing written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableToIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { historyTable } from '../../src/metrics/arrow-history';
import { encodeBlock } from '../../src/metrics/block-codec';
import { encodeColumnFrame, frameEncodedBlocks } from '../../src/store/http/column-frames';
import { toWireJson } from '../../src/store/http/wire-json';
import { testStores } from '../support/test-stores';
import { startServerFixture } from './server-fixture';

const block = (runId: string, key: string, steps: number[], values: number[]) =>
  ({ runId, key, steps: new Float64Array(steps), timestamps: new Float64Array(steps.map((s) => 1_700_000_000_000 + s)), values: new Float64Array(values) });

for (const kind of testStores()) {
  test(`${kind.name}: column blocks upload once per batch id, a damaged block refuses its whole frame; history comes back as an Arrow IPC stream`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('fast');
      await f.backend.tracking.createRun({ runId: 'r1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      await f.backend.tracking.createRun({ runId: 'r2', runName: 'two', experimentId: exp.experimentId, startTime: 1 });
      const upload = (body: Buffer, type: string, query = '') => fetch(`${f.url}/api/tracklab/v1/metrics/blocks${query}`, { method: 'POST', headers: { 'content-type': type }, body });
      const frame = encodeColumnFrame('batch-a', [block('r1', 'loss', [0, 1, 2], [0.5, NaN, -0]), block('r2', 'loss', [0], [1])]);
      for (let i = 0; i < 3; i++) {
        const res = await upload(frame, 'application/vnd.tracklab.columns');
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { batch_id: 'batch-a', points: 4 });
      }
      const arrow = Buffer.from(tableToIPC(historyTable([block('r1', 'acc', [0, 1], [0.25, 0.75])]), 'stream'));
      for (let i = 0; i < 2; i++) assert.equal((await upload(arrow, 'application/vnd.apache.arrow.stream', '?batch_id=batch-b')).status, 200);
      const noId = await upload(arrow, 'application/vnd.apache.arrow.stream');
      assert.equal(noId.status, 400);
      assert.match((await noId.json() as { message: string }).message, /batch id/);
      const reserved = await upload(arrow, 'application/vnd.apache.arrow.stream', '?batch_id=s:someone:99');
      assert.equal(reserved.status, 400, 'the s: form is reserved for tracklab\'s senders');
      assert.match((await reserved.json() as { message: string }).message, /reserved/);
      const bad = await upload(Buffer.from('TLC1garbage'), 'application/vnd.tracklab.columns');
      assert.equal(bad.status, 400);
      assert.equal((await bad.json() as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
      // A frame whose layout and hashes are sound but whose second block is malformed: one trailing byte, framed (and hashed) as it is.
      const sound = encodeColumnFrame('batch-c', [block('r2', 'ok2', [0, 1], [0.5, 0.75]), block('r2', 'dmg', [0, 1, 2], [1, 2, 3])]);
      const dmg = block('r2', 'dmg', [0, 1, 2], [1, 2, 3]);
      const damaged = frameEncodedBlocks('batch-c', [
        { runId: 'r2', key: 'ok2', data: encodeBlock(new Float64Array([0, 1]), new Float64Array([1_700_000_000_000, 1_700_000_000_001]), new Float64Array([0.5, 0.75])) },
        { runId: 'r2', key: 'dmg', data: Buffer.concat([encodeBlock(dmg.steps, dmg.timestamps, dmg.values), Buffer.from([0])]) },
      ]);
      const refused = await upload(damaged, 'application/vnd.tracklab.columns');
      assert.equal(refused.status, 400);
      const why = await refused.json() as { error_code: string; message: string };
      assert.equal(why.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(why.message, /Metric "dmg" of run r2: the encoded block is malformed \(trailing bytes\)/);
      assert.deepEqual(await f.backend.tracking.readMetrics(['r2'], ['ok2', 'dmg']), [], 'nothing of the damaged frame was written');
      assert.equal((await upload(sound, 'application/vnd.tracklab.columns')).status, 200, 'its batch id was not recorded: the sound frame lands');

      const history = async (query: string) => {
        const res = await fetch(`${f.url}/api/tracklab/v1/metrics/history?${query}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/vnd.apache.arrow.stream');
        return pl.readIPCStream(Buffer.from(await res.arrayBuffer()));
      };
      const one = await history('run_id=r1&key=loss');
      assert.deepEqual(one.columns, ['run_id', 'key', 'step', 'timestamp', 'value']);
      assert.deepEqual([...one.getColumn('step').toArray()].map(Number), [0, 1, 2]);
      const values = [...one.getColumn('value').toArray()] as number[];
      assert.ok(values[0] === 0.5 && Number.isNaN(values[1]) && Object.is(values[2], -0), 'NaN and -0 as logged');
      const many = await history('run_id=r1&run_id=r2&key=loss&key=acc');
      assert.equal(many.height, 6, 'three loss and two acc points of r1, one loss of r2: each batch once');
      assert.deepEqual([...many.getColumn('run_id').toArray()].map(String), ['r1', 'r1', 'r1', 'r1', 'r1', 'r2']);
      const missing = await fetch(`${f.url}/api/tracklab/v1/metrics/history?run_id=ghost`);
      assert.equal(missing.status, 404);
      assert.equal((await missing.json() as { error_code: string }).error_code, 'RESOURCE_DOES_NOT_EXIST');
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: both block uploads refuse what logMetric refuses (malformed keys, steps past ±2^53, bad timestamps; Arrow columns are int64, so values past 2^63 cannot be sent that way) with 400 and store nothing of the request`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('checked');
      await f.backend.tracking.createRun({ runId: 'v1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      const upload = (body: Buffer, type: string, query = '') => fetch(`${f.url}/api/tracklab/v1/metrics/blocks${query}`, { method: 'POST', headers: { 'content-type': type }, body });
      const good = block('v1', 'fine', [0, 1], [0.5, 0.25]);
      const at = (steps: number[], timestamps: number[], key = 'loss') =>
        ({ runId: 'v1', key, steps: new Float64Array(steps), timestamps: new Float64Array(timestamps), values: new Float64Array(steps.map(() => 1)) });
      const bad: [string, ReturnType<typeof at>, RegExp][] = [
        ['an empty key', at([0], [1], ''), /Metric name is missing/],
        ['a key that climbs out', at([0], [1], '../../x'), /must not start with "\/", contain "\.\."/],
        ['a 5,000-character key', at([0], [1], 'k'.repeat(5000)), /is 5000 characters long; the limit is 250/],
        ['a step past 2^53', at([0, 2 ** 60], [1, 2]), /integers within/],
        ['timestamps past 2^53', at([0, 1], [2 ** 62, 2 ** 62]), /integers within/],
        ['a negative timestamp', at([0, 1], [-5, -4]), /timestamp not negative/],
      ];
      let n = 0;
      for (const [label, b, why] of bad) {
        for (const [type, body, query] of [
          ['application/vnd.tracklab.columns', encodeColumnFrame(`bad-${n}`, [good, b]), ''],
          ['application/vnd.apache.arrow.stream', Buffer.from(tableToIPC(historyTable([good, b]), 'stream')), `?batch_id=bad-arrow-${n}`],
        ] as const) {
          const res = await upload(body, type, query);
          const answer = await res.json() as { error_code: string; message: string };
          assert.equal(res.status, 400, `${label} as ${type}`);
          assert.equal(answer.error_code, 'INVALID_PARAMETER_VALUE', `${label} as ${type}`);
          assert.match(answer.message, why, `${label} as ${type}: ${answer.message}`);
          assert.doesNotMatch(answer.message, /\n\s+at /, 'no stack');
        }
        n++;
      }
      assert.deepEqual(await f.backend.tracking.readMetrics(['v1']), [], 'nothing of any refused request was stored, not even its good block');
      const run = await f.backend.tracking.getRun('v1');
      assert.deepEqual(Object.keys(run.data.metrics), [], 'and no summary');
      assert.equal((await upload(encodeColumnFrame('bad-0', [good]), 'application/vnd.tracklab.columns')).status, 200, 'a refused batch id was not recorded');
      assert.equal((await f.backend.tracking.getRun('v1')).data.metrics.fine?.count, 2);
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: store calls take only metric names logMetric takes, and a run's call only its own points`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('calls');
      await f.backend.tracking.createRun({ runId: 'c1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      await f.backend.tracking.createRun({ runId: 'c2', runName: 'two', experimentId: exp.experimentId, startTime: 1 });
      const storeCall = async (method: string, args: unknown[]) => {
        const res = await fetch(`${f.url}/api/tracklab/v1/store/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: toWireJson({ args }) });
        return { status: res.status, body: await res.json() as { error_code?: string; message?: string } };
      };
      for (const key of ['', '../../x', '/abs', 'y'.repeat(251)]) {
        const batch = await storeCall('logBatch', ['c1', { metrics: [{ key, value: 1, step: 0, timestamp: 1 }] }]);
        assert.equal(batch.status, 400, `logBatch with key ${JSON.stringify(key.slice(0, 12))}`);
        assert.equal(batch.body.error_code, 'INVALID_PARAMETER_VALUE');
        const update = await storeCall('updateRun', ['c1', { metrics: [block('c1', key, [0], [1])] }]);
        assert.equal(update.status, 400, `updateRun with key ${JSON.stringify(key.slice(0, 12))}`);
      }
      const foreign = await storeCall('updateRun', ['c1', { metrics: [block('c2', 'z', [0], [1])] }]);
      assert.equal(foreign.status, 400, 'updateRun of c1 may not write into c2');
      assert.match(foreign.body.message ?? '', /updateRun of run "c1" carries points of run "c2"/);
      const created = await storeCall('createRun', [{ runId: 'c3', runName: 'three', experimentId: exp.experimentId, startTime: 1,
        end: { status: 'FINISHED', statusMessage: null, endTime: 2, metrics: [block('c2', 'z', [0], [1])] } }]);
      assert.equal(created.status, 400, 'createRun of c3 may not write into c2');
      assert.deepEqual(await f.backend.tracking.readMetrics(['c1', 'c2']), [], 'nothing was stored');
      assert.equal((await storeCall('updateRun', ['c1', { metrics: [block('c1', 'fine', [0], [1])] }])).status, 200, 'its own points, well named, go in');
    } finally {
      await f.close();
    }
  });
}

for (const kind of testStores()) {
  test(`${kind.name}: a block whose bytes differ from its content hash is refused (400, INVALID_PARAMETER_VALUE naming it) and nothing of its upload is stored`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('hashes');
      await f.backend.tracking.createRun({ runId: 'h1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      const upload = (body: Buffer) => fetch(`${f.url}/api/tracklab/v1/metrics/blocks`, { method: 'POST', headers: { 'content-type': 'application/vnd.tracklab.columns' }, body });
      const frame = encodeColumnFrame('hash-a', [block('h1', 'first', [0, 1], [0.5, 0.25]), block('h1', 'loss', [0, 1, 2], [1.5, -2.25, 3])]);
      // Tampered: the value 3 of the second block becomes 2. The block still decodes (values are stored as raw float64),
      // so only its content hash can tell.
      const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v, 0); return b; };
      const tampered = Buffer.from(frame);
      const at = tampered.lastIndexOf(f64(3));
      assert.ok(at > 0 && at < tampered.length - 32, 'the value is in the second block');
      f64(2).copy(tampered, at);
      const refused = await upload(tampered);
      assert.equal(refused.status, 400);
      const why = await refused.json() as { error_code: string; message: string };
      assert.equal(why.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(why.message, /^Block 1 of the column frame \(metric "loss" of run h1\) does not match its content hash: framed with sha256 [0-9a-f]{64}, received bytes hash to [0-9a-f]{64}\. Nothing of this upload was stored/);
      assert.doesNotMatch(why.message, /\n\s+at /, 'no stack');
      assert.deepEqual(await f.backend.tracking.readMetrics(['h1']), [], 'neither block was stored');
      assert.equal((await f.backend.tracking.getRun('h1')).data.metrics.first, undefined);
      // The hash covers the frame's header too: a batch id with one character changed (which could raise a sender's
      // mark and skip later writes) is refused the same way.
      const renamed = Buffer.from(frame);
      renamed.write('hash-z', renamed.indexOf('hash-a'), 'latin1');
      assert.equal((await upload(renamed)).status, 400);
      assert.deepEqual(await f.backend.tracking.readMetrics(['h1']), [], 'nothing of the renamed frame was stored');
      // The refusal recorded no batch id: the untouched frame lands in full, once.
      for (let i = 0; i < 2; i++) assert.equal((await upload(frame)).status, 200);
      const stored = await f.backend.tracking.readMetrics(['h1'], ['loss']);
      assert.deepEqual(stored.flatMap((b) => [...b.values]), [1.5, -2.25, 3]);
      // A frame of an earlier version (TLC1, no hashes: an outbox left by an older client) is still taken.
      const legacy = Buffer.concat([Buffer.from('TLC1', 'latin1'), Buffer.from([6, 0]), Buffer.from('hash-b'), Buffer.from([1, 0, 0, 0]),
        Buffer.from([2, 0]), Buffer.from('h1'), Buffer.from([3, 0]), Buffer.from('old')]);
      const data = encodeBlock(new Float64Array([0]), new Float64Array([5]), new Float64Array([0.125]));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(data.byteLength, 0);
      assert.equal((await upload(Buffer.concat([legacy, len, data]))).status, 200);
      assert.deepEqual((await f.backend.tracking.readMetrics(['h1'], ['old'])).flatMap((b) => [...b.values]), [0.125]);
    } finally {
      await f.close();
    }
  });
}
