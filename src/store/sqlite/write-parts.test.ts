import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricColumns } from '../../entities';
import { metricParts, partsOf, WriteParts } from './write-parts';

function block(runId: string, key: string, n: number): MetricColumns {
  const steps = Float64Array.from({ length: n }, (_, i) => i);
  return { runId, key, steps, timestamps: steps, values: steps };
}

test('metric parts hold at most the point and block limits, and cut long blocks in order', () => {
  const long = block('r', 'loss', WriteParts.points * 2 + 5);
  const parts = metricParts([block('r', 'a', 3), long, ...Array.from({ length: WriteParts.blocks + 1 }, (_, i) => block('r', `k${i}`, 1))]);
  for (const part of parts) {
    assert.ok(part.length <= WriteParts.blocks);
    assert.ok(part.reduce((n, b) => n + b.values.length, 0) <= WriteParts.points);
  }
  const loss = parts.flat().filter((b) => b.key === 'loss');
  assert.deepEqual(loss.map((b) => b.values.length), [WriteParts.points - 3, WriteParts.points, 8]);
  assert.deepEqual(loss.map((b) => b.steps[0]), [0, WriteParts.points - 3, WriteParts.points * 2 - 3], 'consecutive, in order');
  assert.equal(parts.flat().length, 1 + 3 + WriteParts.blocks + 1);
  assert.deepEqual(metricParts([block('r', 'a', 10)]), [[block('r', 'a', 10)]], 'a small flush is one part, unchanged');
  assert.deepEqual(partsOf([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
});
