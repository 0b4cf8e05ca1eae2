/** Concurrent writer processes into one fresh store, on every backend; the children find the store through the environment alone. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testStores } from '../support/test-stores';
import { spawnChild } from './spawn-child';

for (const kind of testStores()) describe(`concurrent writers on ${kind.name}`, { skip: kind.skip }, () => test('4 processes logging 10k points each into one fresh store lose nothing', async () => {
  const store = kind.create();
  try {
    await fourWriters(store);
  } finally {
    await store.cleanup();
  }
}));

async function fourWriters(store: ReturnType<ReturnType<typeof testStores>[number]['create']>): Promise<void> {
  const perProcess = 10_000;
  const children = Array.from({ length: 4 }, (_, i) => spawnChild(store, ['concurrent', String(perProcess), `w${i}`]));
  const results = await Promise.all(children.map((c) => c.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);

  const client = store.client();
  const { experiments } = await client.searchExperiments();
  assert.deepEqual(experiments.map((e) => e.name), ['children']); // one experiment despite the race to create it
  const { runs } = await client.searchRuns({ experiments: ['children'] });
  assert.equal(runs.length, 4);
  assert.deepEqual(runs.map((r) => r.data.tags.child).sort(), ['w0', 'w1', 'w2', 'w3']);
  const history = await client.metricHistory(runs.map((r) => r.info.runId));
  assert.equal(history.numRows, 4 * perProcess);
  const steps = perProcess / 4;
  for (const run of runs) {
    assert.equal(run.info.status, 'FINISHED');
    const m = run.data.metrics;
    assert.deepEqual(Object.keys(m).sort(), ['a', 'b', 'c', 'd']);
    for (const key of ['a', 'b', 'c', 'd']) {
      assert.equal(m[key].count, steps, key);
      assert.equal(m[key].lastStep, steps - 1, key);
    }
    assert.equal(m.a.last, steps - 1);
    assert.equal(m.b.max, 2 * (steps - 1));
    assert.equal(m.c.min, -(steps - 1));
    assert.equal(m.d.max, 6);
    // History agrees with the summaries: every step of every key, exactly once.
    const own = await client.metricHistory(run.info.runId, ['b']);
    const values = own.getChild('value')!.toArray() as Float64Array;
    assert.equal(values.length, steps);
    values.forEach((v, i) => assert.equal(v, 2 * i));
  }
}
