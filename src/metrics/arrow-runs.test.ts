import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricSummary, Run } from '../entities';
import { RUN_COLUMNS, runsTable } from './arrow-runs';

function summary(key: string, last: number): MetricSummary {
  return { key, last, lastStep: 3, lastTimestamp: 1_700_000_000_000, min: last, max: last, count: 1 };
}

function run(id: string, extra: { params?: Record<string, string>; metrics?: Record<string, number>; tags?: Record<string, string>; endTime?: number | null; parent?: string | null } = {}): Run {
  return {
    info: {
      runId: id, runName: `name-${id}`, experimentId: '0', parentRunId: extra.parent ?? null,
      status: extra.endTime ? 'FINISHED' : 'RUNNING', statusMessage: null,
      startTime: 1_700_000_000_000, endTime: extra.endTime ?? null, user: null, lifecycleStage: 'active',
    },
    data: {
      params: extra.params ?? {},
      tags: extra.tags ?? {},
      metrics: Object.fromEntries(Object.entries(extra.metrics ?? {}).map(([k, v]) => [k, summary(k, v)])),
    },
  };
}

test('fixed columns first, then sorted params, metrics and tags', () => {
  const table = runsTable([
    run('a', { params: { lr: '0.1', batch: '32' }, metrics: { loss: 0.5 }, tags: { note: 'x' } }),
    run('b', { params: { lr: '0.2', optimizer: 'adam' }, metrics: { acc: 0.9 } }),
  ]);
  assert.deepEqual(table.schema.fields.map((f) => f.name), [
    ...RUN_COLUMNS, 'params.batch', 'params.lr', 'params.optimizer', 'metrics.acc', 'metrics.loss', 'tags.note',
  ]);
  assert.equal(table.numRows, 2);
});

test('values land in their rows, null where a run lacks the key', () => {
  const table = runsTable([
    run('a', { params: { lr: '0.1' }, metrics: { loss: 0.5 }, endTime: 1_700_000_100_000 }),
    run('b', { params: { optimizer: 'adam' }, metrics: { acc: 0.9 }, tags: { 'mlflow.note': 'hi' }, parent: 'a' }),
  ]);
  const rows = [...table].map((r) => r.toJSON());
  assert.deepEqual(rows[0], {
    run_id: 'a', run_name: 'name-a', experiment_id: '0', status: 'FINISHED',
    start_time: 1_700_000_000_000, end_time: 1_700_000_100_000, parent_run_id: null,
    'params.lr': '0.1', 'params.optimizer': null, 'metrics.acc': null, 'metrics.loss': 0.5, 'tags.mlflow.note': null,
  });
  assert.deepEqual(rows[1], {
    run_id: 'b', run_name: 'name-b', experiment_id: '0', status: 'RUNNING',
    start_time: 1_700_000_000_000, end_time: null, parent_run_id: 'a',
    'params.lr': null, 'params.optimizer': 'adam', 'metrics.acc': 0.9, 'metrics.loss': null, 'tags.mlflow.note': 'hi',
  });
});

test('a NaN or infinite last value stays a value, not null', () => {
  const table = runsTable([run('a', { metrics: { m: NaN } }), run('b', { metrics: { m: -Infinity } }), run('c')]);
  const col = table.getChild('metrics.m')!;
  assert.ok(Number.isNaN(col.get(0)));
  assert.equal(col.get(1), -Infinity);
  assert.equal(col.get(2), null);
  assert.equal(col.nullCount, 1);
});

test('keys named like Object.prototype members are data, not inherited', () => {
  const params = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
  const table = runsTable([run('a', { params }), run('b')]);
  assert.equal(table.getChild('params.__proto__')!.get(0), 'p');
  assert.equal(table.getChild('params.constructor')!.get(1), null);
});

test('no runs give the fixed columns and zero rows', () => {
  const table = runsTable([]);
  assert.deepEqual(table.schema.fields.map((f) => f.name), [...RUN_COLUMNS]);
  assert.equal(table.numRows, 0);
});
