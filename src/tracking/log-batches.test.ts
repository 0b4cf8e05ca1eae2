import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBatch } from './log-batches';

const many = (n: number, prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, String(i)]));
const points = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 0 }));
const sizes = (parts: ReturnType<typeof splitBatch>) =>
  parts.map((p) => [Object.keys(p.params ?? {}).length, Object.keys(p.tags ?? {}).length, p.metrics?.length ?? 0]);

test('a batch within the limits stays one write, the same object', () => {
  const batch = { params: many(100, 'p'), tags: many(100, 't'), metrics: points(800) };
  assert.deepEqual(splitBatch(batch), [batch]);
});

test('bigger batches split as MLflow\'s client splits them: 100 params and tags side by side, metrics filling to 1000', () => {
  assert.deepEqual(sizes(splitBatch({ params: many(250, 'p'), tags: many(120, 't'), metrics: points(2500) })), [
    [100, 100, 800], [100, 20, 880], [50, 0, 820],
  ]);
  assert.deepEqual(sizes(splitBatch({ metrics: points(2500) })), [[0, 0, 1000], [0, 0, 1000], [0, 0, 500]]);
  const parts = splitBatch({ params: many(250, 'p') });
  assert.deepEqual(parts.flatMap((p) => Object.keys(p.params ?? {})), Object.keys(many(250, 'p')), 'every key once, in order');
  assert.equal(Object.getPrototypeOf(parts[0].params), null);
});
