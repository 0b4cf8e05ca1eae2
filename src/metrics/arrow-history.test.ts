import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'apache-arrow';
import type { MetricColumns } from '../entities';
import { isTracklabError } from '../errors';
import { HISTORY_COLUMNS, historyTable, historyTableFromEncoded } from './arrow-history';
import { encodeBlock } from './block-codec';

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

test('decoding encoded blocks straight into the table gives the same table, in every column mode', () => {
  const cols = (runId: string, key: string, steps: number[], timestamps: number[], values: number[]): MetricColumns =>
    ({ runId, key, steps: Float64Array.from(steps), timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) });
  const n = 70_000;
  const blocks = [
    // Arithmetic steps, delta timestamps crossing a 2^32 boundary (the high word changes inside the block).
    cols('r1', 'loss', Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => 4 * 2 ** 32 - 1000 + Math.floor(i / 3)), Array.from({ length: n }, (_, i) => Math.sin(i))),
    // Raw columns: steps too far apart for deltas, negative steps and timestamps; NaN, ±Infinity and -0 values.
    cols('r1', 'acc', [-5, 2 ** 53 - 1, -(2 ** 53) + 1, 0], [-1, 2 ** 31, 2 ** 32 - 1, 2 ** 32], [NaN, Infinity, -Infinity, -0]),
    // Multi-byte varint deltas, and one point.
    cols('r2', 'loss', [3, 1000, 1_000_000, 2 ** 40], [1, 300, 70_000, 2 ** 45], [1, 2, 3, 4]),
    cols('r2', 'lr', [7], [1_700_000_000_000], [0.1]),
    // Arithmetic steps past 2^31 (low words wrap as int32), descending, crossing 2^32 and negative;
    // delta timestamps falling across 2^32 and below zero.
    cols('r3', 'a', [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1], [2 ** 32 + 2, 2 ** 32 + 1, 2 ** 32, 2 ** 32 - 1], [1, 2, 3, 4]),
    cols('r3', 'b', [2 ** 32 - 1, 2 ** 32 - 4, 2 ** 32 - 7], [1, 0, -1], [1, 2, 3]),
    cols('r3', 'c', [2 ** 32 - 2, 2 ** 32, 2 ** 32 + 2], [-(2 ** 32) - 1, -(2 ** 32) + 200, 5], [1, 2, 3]),
    cols('r3', 'd', [-4, -2, 0, 2], [0, 0, 0, 0], [1, 2, 3, 4]),
  ];
  const encoded = blocks.map((b) => ({ runId: b.runId, key: b.key, data: encodeBlock(b.steps, b.timestamps, b.values) }));
  const expected = historyTable(blocks);
  const got = historyTableFromEncoded(encoded);
  assert.equal(got.numRows, expected.numRows);
  for (const name of HISTORY_COLUMNS) {
    assert.deepEqual(Array.from(got.getChild(name)!), Array.from(expected.getChild(name)!), name);
  }
  assert.ok(Object.is(got.getChild('value')!.get(n + 3), -0));
  assert.equal(historyTableFromEncoded([]).numRows, 0);
  assert.deepEqual(historyTableFromEncoded([]).schema.fields.map((f) => f.name), [...HISTORY_COLUMNS]);
});

test('a damaged encoded block is refused with INTERNAL_ERROR, not read past its end', () => {
  const data = encodeBlock(Float64Array.from([0, 5, 9]), Float64Array.from([1, 2, 3]), Float64Array.from([1, 2, 3]));
  for (const bad of [data.subarray(0, data.length - 1), Uint8Array.from([9, ...data.subarray(1)])]) {
    assert.throws(() => historyTableFromEncoded([{ runId: 'r', key: 'k', data: bad }]), (e: unknown) => isTracklabError(e, 'INTERNAL_ERROR'));
  }
});
