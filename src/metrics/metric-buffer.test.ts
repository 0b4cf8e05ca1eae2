import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricColumns } from '../entities';
import { MetricBuffer } from './metric-buffer';

/** A sink that copies what it receives, as a synchronous store would persist it. */
function collector(): { sink: (blocks: readonly MetricColumns[]) => void; calls: MetricColumns[][] } {
  const calls: MetricColumns[][] = [];
  return {
    calls,
    sink: (blocks) => calls.push(blocks.map((b) => ({
      runId: b.runId, key: b.key, steps: b.steps.slice(), timestamps: b.timestamps.slice(), values: b.values.slice(),
    }))),
  };
}

test('series grow by doubling up to maxPointsPerKey and keep every point', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { initialCapacity: 4, maxPointsPerKey: 64, flushIntervalMs: 0 });
  const s = buffer.series('r1', 'loss');
  const capacities = new Set<number>();
  for (let i = 0; i < 50; i++) {
    buffer.push(s, i / 2, i, 1000 + i);
    capacities.add(s.values.length);
  }
  assert.deepEqual([...capacities], [4, 8, 16, 32, 64]);
  assert.equal(calls.length, 0);
  assert.equal(buffer.pendingPoints, 50);
  assert.equal(buffer.flush(), 50);
  assert.deepEqual(Array.from(calls[0][0].steps), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(Array.from(calls[0][0].values), Array.from({ length: 50 }, (_, i) => i / 2));
  assert.equal(buffer.pendingPoints, 0);
});

test('a full series flushes instead of growing past maxPointsPerKey (bounded memory)', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { initialCapacity: 8, maxPointsPerKey: 16, flushIntervalMs: 0, reuseArrays: true });
  const s = buffer.series('r1', 'acc');
  for (let i = 0; i < 1000; i++) buffer.push(s, i, i, i);
  assert.ok(s.values.length <= 16, `capacity ${s.values.length}`);
  buffer.flush();
  const steps = calls.flatMap((blocks) => blocks.flatMap((b) => Array.from(b.steps)));
  assert.deepEqual(steps, Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(calls.length >= 1000 / 16);
});

test('maxTotalPoints flushes every series at once, in one sink call', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { maxTotalPoints: 10, flushIntervalMs: 0 });
  const a = buffer.series('r1', 'a');
  const b = buffer.series('r2', 'b');
  for (let i = 0; i < 5; i++) {
    buffer.push(a, i, i, 0);
    buffer.push(b, -i, i, 0);
  }
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].map((blk) => [blk.runId, blk.key, blk.values.length]), [['r1', 'a', 5], ['r2', 'b', 5]]);
});

test('NaN, ±Infinity and -0 pass through unchanged; latest point is tracked', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { flushIntervalMs: 0 });
  const s = buffer.series('r', 'x');
  for (const [i, v] of [NaN, Infinity, -Infinity, -0].entries()) buffer.push(s, v, i, 7);
  assert.equal(s.count, 4);
  assert.ok(Object.is(s.lastValue, -0));
  assert.equal(s.lastStep, 3);
  buffer.flush('r');
  const values = Array.from(calls[0][0].values);
  assert.ok(Number.isNaN(values[0]));
  assert.equal(values[1], Infinity);
  assert.equal(values[2], -Infinity);
  assert.ok(Object.is(values[3], -0));
});

test('held runs are not flushed until released', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { maxPointsPerKey: 4, maxTotalPoints: 8, flushIntervalMs: 0 });
  buffer.hold('new');
  const held = buffer.series('new', 'loss');
  const other = buffer.series('old', 'loss');
  for (let i = 0; i < 20; i++) buffer.push(held, i, i, 0);
  assert.equal(calls.length, 0);
  for (let i = 0; i < 8; i++) buffer.push(other, i, i, 0);
  assert.ok(calls.every((blocks) => blocks.every((b) => b.runId === 'old')));
  buffer.release('new');
  buffer.flush();
  const newSteps = calls.flatMap((bl) => bl.filter((b) => b.runId === 'new').flatMap((b) => Array.from(b.steps)));
  assert.deepEqual(newSteps, Array.from({ length: 20 }, (_, i) => i));
});

test('flush(runId) flushes one run; discard drops a run', () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { flushIntervalMs: 0 });
  buffer.append('a', 'k', 1, 0, 0);
  buffer.append('b', 'k', 2, 0, 0);
  assert.equal(buffer.flush('a'), 1);
  assert.deepEqual(calls.map((bl) => bl.map((b) => b.runId)), [['a']]);
  buffer.discard('b');
  assert.equal(buffer.pendingPoints, 0);
  assert.equal(buffer.flush(), 0);
  assert.deepEqual(buffer.seriesOf('b'), []);
});

test('the timer flushes buffered points without being asked', async () => {
  const { sink, calls } = collector();
  const buffer = new MetricBuffer(sink, { flushIntervalMs: 20 });
  buffer.append('r', 'k', 1, 0, 0);
  const deadline = Date.now() + 5000;
  while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(calls.length, 1);
  assert.equal(buffer.pendingPoints, 0);
  buffer.close();
});

test('steady state reuses the same arrays (no per-point allocation)', () => {
  const buffer = new MetricBuffer(() => undefined, { maxPointsPerKey: 1024, flushIntervalMs: 0, reuseArrays: true });
  const s = buffer.series('r', 'k');
  for (let i = 0; i < 1024; i++) buffer.push(s, i, i, 0);
  const arrays = [s.steps, s.timestamps, s.values];
  for (let i = 0; i < 100_000; i++) buffer.push(s, i, i, 0);
  assert.ok(s.steps === arrays[0] && s.timestamps === arrays[1] && s.values === arrays[2]);
});

test('with reuseArrays a full series goes to the sink as it is; a partly filled one as its first points', () => {
  const seen: MetricColumns[] = [];
  const buffer = new MetricBuffer((blocks) => { seen.push(...blocks); }, { flushIntervalMs: 0, reuseArrays: true });
  const one = buffer.series('r', 'one');
  buffer.push(one, 0.5, 0, 10);
  const three = buffer.series('r', 'three');
  for (let i = 0; i < 3; i++) buffer.push(three, -i, i, 10 + i);
  assert.equal(buffer.flush(), 4);
  assert.equal(seen[0].values, one.values, 'the one-point series of a short run is not copied');
  assert.deepEqual([Array.from(seen[1].steps), Array.from(seen[1].timestamps), Array.from(seen[1].values)], [[0, 1, 2], [10, 11, 12], [-0, -1, -2]]);
});

test('a held run with whenFull is made writable instead of outgrowing the limits', () => {
  const seen: MetricColumns[] = [];
  const buffer = new MetricBuffer((blocks) => { seen.push(...blocks); }, { flushIntervalMs: 0, maxPointsPerKey: 4, maxTotalPoints: 100 });
  let calls = 0;
  buffer.hold('r', () => { calls++; buffer.release('r'); });
  const s = buffer.series('r', 'loss');
  for (let i = 0; i < 4; i++) buffer.push(s, i, i, i);
  assert.deepEqual([calls, seen.length], [0, 0], 'held points wait while they fit');
  buffer.push(s, 4, 4, 4);
  assert.equal(calls, 1);
  assert.deepEqual(seen.flatMap((b) => Array.from(b.values)), [0, 1, 2, 3]);

  const other = new MetricBuffer((blocks) => { seen.push(...blocks); }, { flushIntervalMs: 0, maxPointsPerKey: 1000, maxTotalPoints: 10 });
  let released = 0;
  other.hold('q', () => { released++; other.release('q'); });
  const q = other.series('q', 'acc');
  for (let i = 0; i < 10; i++) other.push(q, i, i, i);
  assert.equal(released, 1, 'reaching maxTotalPoints makes held runs writable too');
  assert.equal(other.pendingPoints, 0);
});
