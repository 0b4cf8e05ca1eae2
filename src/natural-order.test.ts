import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from './entities';
import { keyColumns } from './cli/commands/runs';
import { naturalOrder } from './natural-order';
import { defaultColumns } from './ui/runs-state';

/** A run with params p0…p11 and metrics m0…m11, as a sweep over many settings logs them. */
function wideRun(): Run {
  const keys = (prefix: string) => Array.from({ length: 12 }, (_, i) => `${prefix}${i}`);
  const metric = { last: 1, lastStep: 0, lastTimestamp: 0, min: 1, max: 1, count: 1 };
  return {
    info: { runId: 'r', runName: 'r', experimentId: '0', status: 'FINISHED', startTime: 0, endTime: 0, lifecycleStage: 'active' },
    data: { params: Object.fromEntries(keys('p').map((k) => [k, '1'])), tags: {}, metrics: Object.fromEntries(keys('m').map((k) => [k, metric])) },
  } as unknown as Run;
}

test('names sort as people count them: m2 before m10, and equal-looking names keep one order', () => {
  assert.deepEqual(['m10', 'm2', 'm1', 'M1', 'lr', 'm0'].sort(naturalOrder), ['lr', 'm0', 'm1', 'M1', 'm2', 'm10']);
  assert.equal(naturalOrder('a', 'a'), 0);
});

test('the first columns of p0…p11 are p0, p1, p2…, not p0, p1, p10, p11 (UI runs table and tracklab runs)', () => {
  const ui = defaultColumns([wideRun()]);
  assert.deepEqual(ui.filter((c) => c.kind === 'param').map((c) => c.key), ['p0', 'p1', 'p2', 'p3', 'p4']);
  assert.deepEqual(ui.filter((c) => c.kind === 'metric').map((c) => c.key), ['m0', 'm1', 'm2', 'm3', 'm4']);
  const cli = keyColumns([wideRun()]);
  assert.deepEqual(cli.params, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  assert.deepEqual(cli.metrics, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
});
