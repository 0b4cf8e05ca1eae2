import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'apache-arrow';
import type { MetricColumns } from '../entities';
import { isTracklabError } from '../errors';
import { HISTORY_COLUMNS, historyTable } from './arrow-history';

function block(runId: string, key: string, steps: number[], values: number[], t0 = 1_700_000_000_000): MetricColumns {
  return {
    runId, key,
    steps: Float64Array.from(steps),
    timestamps: Float64Array.from(steps, (_, i) => t0 + i * 10),
    values: Float64Array.from(values),
  };
}

test('columns and types follow the schema', () => {
  const table = historyTable([block('r1', 'loss', [0, 1], [0.5, 0.25])]);
  assert.deepEqual(table.schema.fields.map((f) => f.name), [...HISTORY_COLUMNS]);
  const types = table.schema.fields.map((f) => f.type.typeId);
  assert.deepEqual(types, [Type.Dictionary, Type.Dictionary, Type.Int, Type.Timestamp, Type.Float]);
  assert.equal(String(table.schema.fields[2].type), 'Int64');
  assert.equal(String(table.schema.fields[3].type), 'Timestamp<MILLISECOND>');
});

test('rows come out in block order with every value intact', () => {
  const blocks = [
    block('r1', 'loss', [0, 1, 2], [1.5, 1.25, 1]),
    block('r1', 'acc', [0, 1], [0.1, 0.2], 1_700_000_500_000),
    block('r2', 'loss', [5, 6], [3, 2]),
  ];
  const table = historyTable(blocks);
  assert.equal(table.numRows, 7);
  const rows = [...table].map((r) => r.toJSON());
  const expected = blocks.flatMap((b) => [...b.values].map((v, i) => ({
    run_id: b.runId, key: b.key, step: BigInt(b.steps[i]), timestamp: b.timestamps[i], value: v,
  })));
  assert.deepEqual(rows, expected);
});

test('NaN and ±Infinity are preserved bit for bit', () => {
  const values = [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE];
  const table = historyTable([block('r', 'k', values.map((_, i) => i), values)]);
  const out = table.getChild('value')!.toArray() as Float64Array;
  assert.deepEqual([...out], values);
  assert.ok(Object.is(out[3], -0));
});

test('steps keep their sign and magnitude up to 2^53', () => {
  const steps = [-(2 ** 53) + 1, -(2 ** 32) - 1, -1, 0, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1];
  const table = historyTable([block('r', 'k', steps, steps.map(() => 1))]);
  assert.deepEqual([...(table.getChild('step')!.toArray() as BigInt64Array)], steps.map((s) => BigInt(s)));
});

test('dictionaries hold each run id and key once', () => {
  const table = historyTable([
    block('a', 'x', [0], [1]), block('a', 'y', [0], [2]), block('b', 'x', [0, 1], [3, 4]),
  ]);
  const runDict = table.getChild('run_id')!.data[0].dictionary!;
  const keyDict = table.getChild('key')!.data[0].dictionary!;
  assert.deepEqual(runDict.toArray(), ['a', 'b']);
  assert.deepEqual(keyDict.toArray(), ['x', 'y']);
  assert.deepEqual([...table.getChild('run_id')!], ['a', 'a', 'b', 'b']);
  assert.deepEqual([...table.getChild('key')!], ['x', 'y', 'x', 'x']);
});

test('no blocks give an empty table that still has the schema', () => {
  const table = historyTable([]);
  assert.equal(table.numRows, 0);
  assert.deepEqual(table.schema.fields.map((f) => f.name), [...HISTORY_COLUMNS]);
});

test('a block with unequal column lengths is refused', () => {
  const bad = { runId: 'r', key: 'k', steps: new Float64Array(2), timestamps: new Float64Array(2), values: new Float64Array(3) };
  assert.throws(() => historyTable([bad]), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /unequal length/.test(e.message));
});
