/**
 * tracklab's fast paths beside MLflow's API (/api/tracklab/v1/), over a real
 * server on each store: metric history as an Arrow IPC stream (one key, many
 * keys), read by polars (no code shared with apache-arrow); points uploaded
 * as column blocks, in the binary frame and as an Arrow IPC stream, where
 * sending a batch again never duplicates points, and a frame with one
 * damaged block is refused whole with nothing written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableToIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { historyTable } from '../../src/metrics/arrow-history';
import { encodeColumnFrame } from '../../src/store/http/column-frames';
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
      const bad = await upload(Buffer.from('TLC1garbage'), 'application/vnd.tracklab.columns');
      assert.equal(bad.status, 400);
      assert.equal((await bad.json() as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
      // A frame whose layout is sound but whose second block is damaged: one byte more, counted in the block's length.
      const sound = encodeColumnFrame('batch-c', [block('r2', 'ok2', [0, 1], [0.5, 0.75]), block('r2', 'dmg', [0, 1, 2], [1, 2, 3])]);
      const damaged = Buffer.concat([sound, Buffer.from([0])]);
      const lengthAt = sound.lastIndexOf('dmg') + 3;
      damaged.writeUInt32LE(sound.readUInt32LE(lengthAt) + 1, lengthAt);
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
