/**
 * A new remote store against a server from before the capabilities endpoint
 * (block-uploads.ts): such a server takes single "TLC1" frames only and 400s
 * hashed or joined ones. The sender asks once, finds no endpoint, and sends
 * each block write on its own as TLC1, so every point lands once. Real
 * server started with `olderBlockUploads` (it answers as the old build did).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPABILITIES_PATH } from '../../src/store/http/block-uploads';
import { COLUMNS_MEDIA_TYPE, encodeColumnFrame } from '../../src/store/http/column-frames';
import { openStore } from '../../src/store/open-store';
import { testStores } from '../support/test-stores';
import { withTempHome } from '../support/temp-home';
import { startServerFixture } from './server-fixture';

const block = (runId: string, from: number, n = 100) => ({
  runId, key: 'loss',
  steps: Float64Array.from({ length: n }, (_, i) => from + i),
  timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + from + i),
  values: Float64Array.from({ length: n }, (_, i) => Math.cos(from + i)),
});

for (const kind of testStores()) {
  test(`${kind.name}: against a server without the capabilities endpoint, block writes go one at a time as TLC1 and every point lands once`, { skip: kind.skip, timeout: 60_000 }, () => withTempHome('tracklab-older-', async () => {
    const f = await startServerFixture(kind, { olderBlockUploads: true });
    const remote = await openStore(f.url);
    try {
      assert.equal((await fetch(new URL(CAPABILITIES_PATH, f.url))).status, 404, 'acts as the older server');
      const hashed = await fetch(new URL('/api/tracklab/v1/metrics/blocks', f.url), { method: 'POST', headers: { 'content-type': COLUMNS_MEDIA_TYPE }, body: encodeColumnFrame('x', [block('nobody', 0)]) });
      assert.equal(hashed.status, 400, 'the older server refuses TLC2');
      const exp = await f.backend.tracking.ensureExperiment('older');
      await remote.tracking.createRun({ runId: 'o1', runName: 'o1', experimentId: exp.experimentId, startTime: 1 });
      await Promise.all(Array.from({ length: 40 }, (_, i) => remote.tracking.appendMetrics([block('o1', i * 100)])));
      assert.deepEqual((await f.backend.tracking.readMetrics(['o1'])).flatMap((b) => [...b.steps]), Array.from({ length: 4000 }, (_, i) => i));
      const uploads = f.log.filter((e) => e.path === '/api/tracklab/v1/metrics/blocks');
      assert.equal(uploads.filter((e) => e.status !== 200).length, 1, 'only the direct TLC2 probe was refused');
      assert.equal(uploads.length, 41, 'one request per write');
    } finally {
      await remote.close();
      await f.close();
    }
  }));

  test(`${kind.name}: the server says which block uploads it takes`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const res = await fetch(new URL(CAPABILITIES_PATH, f.url));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { column_frames: ['TLC2', 'TLC1'], joined_blocks: true });
    } finally {
      await f.close();
    }
  });
}
