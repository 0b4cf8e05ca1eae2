import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Run } from '../entities';
import { nestRuns } from './run-tree';

function run(runId: string, parentRunId: string | null = null): Run {
  return {
    info: { runId, runName: runId, experimentId: '1', parentRunId, status: 'FINISHED', statusMessage: null, startTime: 0, endTime: 0, user: null, lifecycleStage: 'active' },
    data: { params: {}, tags: {}, metrics: {} },
  };
}

const shape = (runs: Run[]) => nestRuns(runs).map((r) => `${'  '.repeat(r.depth)}${r.run.info.runId}${r.children ? ` (${r.children})` : ''}${r.parentElsewhere ? ` ^${r.parentElsewhere}` : ''}`);

test('children follow their parent in the page order (sorting stays within siblings), grandchildren deeper', () => {
  // The page as the store sorted it: children before their parent, a grandchild first of all.
  const page = [run('g', 'c2'), run('c2', 'p'), run('solo'), run('c1', 'p'), run('p'), run('q')];
  assert.deepEqual(shape(page), ['solo', 'p (2)', '  c2 (1)', '    g', '  c1', 'q']);
});

test('a child whose parent is not on the page is a root that names its parent', () => {
  assert.deepEqual(shape([run('c1', 'p'), run('x')]), ['c1 ^p', 'x']);
});

test('every run is one row exactly once, even in a parent loop or under itself', () => {
  const rows = shape([run('a', 'b'), run('b', 'a'), run('self', 'self'), run('c', 'a')]);
  assert.deepEqual(rows, ['self', 'a (2)', '  b', '  c']);
});
