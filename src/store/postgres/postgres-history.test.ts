/**
 * Metric histories come back from PostgreSQL through a binary COPY, whose
 * SQL carries the ids and keys as literals: keys that need quoting must
 * still select exactly their own blocks, and damaged COPY output must fail
 * with a clear error rather than be misread.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isTracklabError } from '../../errors';
import type { TrackingStore } from '../store';
import { freshDatabase } from '../../../test/support/postgres-cluster';
import { openStore } from '../open-store';
import type { StoreBackend } from '../backend';
import { copyRows } from './copy-binary';

const KEYS = ["it's", 'back\\slash', 'quote"d', 'naïve ∑ 🚀', "'; DROP TABLE metric_blocks; --", 'E\'\\x41\''];

describe('metric history read through binary COPY', () => {
  const db = freshDatabase();
  let backend: StoreBackend;
  let store: TrackingStore;
  before(async () => {
    backend = await openStore(db.uri);
    store = backend.tracking;
    const exp = await store.ensureExperiment('Default');
    await store.createRun({ runId: 'r1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
    await store.appendMetrics(KEYS.map((key, i) => ({
      runId: 'r1', key, steps: new Float64Array([0, 1]), timestamps: new Float64Array([10, 11]), values: new Float64Array([i, -0]),
    })));
  });
  after(async () => {
    await backend.close();
    db.drop();
  });

  test('keys that need quoting select exactly their own blocks, bytes intact', async () => {
    for (const [i, key] of KEYS.entries()) {
      const got = await store.readMetrics(['r1'], [key]);
      assert.deepEqual(got.map((b) => b.key), [key]);
      assert.deepEqual([...got[0].values], [i, -0]);
      assert.ok(Object.is(got[0].values[1], -0));
      assert.deepEqual([...got[0].steps], [0, 1]);
      assert.deepEqual([...got[0].timestamps], [10, 11]);
    }
    assert.deepEqual((await store.readMetrics(['r1'])).map((b) => b.key).sort(), [...KEYS].sort());
    assert.deepEqual(await store.readMetrics(['r1'], []), []);
  });

  test('a missing id is named, even next to a found one', async () => {
    await assert.rejects(store.readMetrics(['r1', "gh'ost"]), (err: unknown) =>
      isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST') && /"gh'ost"/.test(err.message));
  });

  test('damaged COPY output is refused with INTERNAL_ERROR', () => {
    const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const row = Buffer.from([0, 1, 0, 0, 0, 9, 1, 2]); // one field said to be 9 bytes, with 2
    for (const data of [Buffer.from('not copy'), header, Buffer.concat([header, row])]) {
      assert.throws(() => copyRows(data), (err: unknown) => isTracklabError(err, 'INTERNAL_ERROR'));
    }
    assert.deepEqual(copyRows(Buffer.concat([header, Buffer.from([0xff, 0xff])])), []);
  });
});
