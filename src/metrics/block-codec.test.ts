import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBlock, encodeBlock } from './block-codec';
import { isTracklabError } from '../errors';

function bits(xs: Float64Array): string[] {
  return Array.from(new Uint8Array(xs.buffer, xs.byteOffset, xs.byteLength).reduce<string[]>((acc, b, i) => {
    if (i % 8 === 0) acc.push('');
    acc[acc.length - 1] += b.toString(16).padStart(2, '0');
    return acc;
  }, []));
}

function roundTrip(steps: number[], timestamps: number[], values: number[]): Uint8Array {
  const s = new Float64Array(steps);
  const t = new Float64Array(timestamps);
  const v = new Float64Array(values);
  const blob = encodeBlock(s, t, v);
  const back = decodeBlock(blob);
  assert.deepEqual(bits(back.steps), bits(s), 'steps bit-exact');
  assert.deepEqual(bits(back.timestamps), bits(t), 'timestamps bit-exact');
  assert.deepEqual(bits(back.values), bits(v), 'values bit-exact');
  return blob;
}

test('special values survive bit for bit: NaN, ±Infinity, -0, tiny and huge', () => {
  const values = [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 1e308, 0.1 + 0.2];
  const n = values.length;
  roundTrip(Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, () => 1_700_000_000_000), values);
});

test('empty and single-point blocks', () => {
  const empty = roundTrip([], [], []);
  assert.equal(decodeBlock(empty).values.length, 0);
  roundTrip([7], [1_700_000_000_123], [NaN]);
  roundTrip([-0], [0.5], [-0]);
});

test('non-monotonic, negative and huge steps', () => {
  roundTrip([5, 3, 9, -2, 0, 1000000], [3, 2, 1, 0, 1, 2], [1, 2, 3, 4, 5, 6]);
  roundTrip([2 ** 53 - 1, -(2 ** 53 - 1), 0], [0, 0, 0], [1, 2, 3]);
  roundTrip([2 ** 60, 2 ** 63, -(2 ** 62)], [1, 2, 3], [1, 2, 3]);
  roundTrip([0.5, 1.5, NaN, -0], [Infinity, -Infinity, NaN, 1e300], [1, 2, 3, 4]);
});

test('arithmetic and strided steps cost almost nothing; a typical series stays under 12 bytes/point', () => {
  const n = 100_000;
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let t = 1_700_000_000_000;
  let seed = 42;
  for (let i = 0; i < n; i++) {
    steps[i] = i * 10;
    if (i % 7 === 0) t += (i % 3); // a fast loop: mostly the same ms, sometimes +1 or +2
    timestamps[i] = t;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    values[i] = seed / 2147483648 - 0.5;
  }
  const blob = encodeBlock(steps, timestamps, values);
  assert.ok(blob.length / n <= 12, `${blob.length / n} bytes/point`);
  const back = decodeBlock(blob);
  assert.deepEqual(bits(back.steps), bits(steps));
  assert.deepEqual(bits(back.timestamps), bits(timestamps));
  assert.deepEqual(bits(back.values), bits(values));
});

test('decodes from a Uint8Array view at an odd offset (as SQLite buffers arrive)', () => {
  const blob = encodeBlock(new Float64Array([1, 2, 4]), new Float64Array([10, 11, 15]), new Float64Array([0.25, -1, 3]));
  const shifted = new Uint8Array(blob.length + 3);
  shifted.set(blob, 3);
  const back = decodeBlock(shifted.subarray(3));
  assert.deepEqual(Array.from(back.steps), [1, 2, 4]);
  assert.deepEqual(Array.from(back.timestamps), [10, 11, 15]);
  assert.deepEqual(Array.from(back.values), [0.25, -1, 3]);
});

test('unequal columns and damaged data are refused with a TracklabError', () => {
  assert.throws(() => encodeBlock(new Float64Array(2), new Float64Array(2), new Float64Array(3)),
    (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /equal-length/.test(e.message));
  const blob = encodeBlock(new Float64Array([0, 1, 3]), new Float64Array([0, 5, 6]), new Float64Array([1, 2, 3]));
  assert.throws(() => decodeBlock(blob.subarray(0, blob.length - 1)), (e) => isTracklabError(e, 'INTERNAL_ERROR'));
  assert.throws(() => decodeBlock(new Uint8Array([99, 0])), (e) => isTracklabError(e, 'INTERNAL_ERROR') && /version 99/.test(e.message));
});

test('the stored bytes of small blocks stay exactly as format version 1 lays them out', () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  // version, n=1, value 0.25, steps ARITHMETIC (3, stride 0), timestamps ARITHMETIC (1700000000123, stride 0)
  assert.equal(hex(encodeBlock(new Float64Array([3]), new Float64Array([1_700_000_000_123]), new Float64Array([0.25]))),
    '0101000000000000d03f00000000000000084000000000000000000000b08756febc78420000000000000000');
  // n=3, values -0, NaN, 1; steps ARITHMETIC (0, stride 1); timestamps DELTA (5, then +0, +1)
  const blob = encodeBlock(new Float64Array([0, 1, 2]), new Float64Array([5, 5, 6]), new Float64Array([-0, NaN, 1]));
  assert.equal(hex(blob), '01030000000000000080000000000000f87f000000000000f03f000000000000000000000000000000f03f0100000000000014400002');
});
