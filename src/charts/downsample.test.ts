import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample, downsampleIndices } from './downsample';
import { ema } from './ema';
import { isTracklabError } from '../errors';

function noisy(n: number, seed: number): Float64Array {
  const v = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    v[i] = Math.sin(i / 50) + x / 2147483648;
  }
  return v;
}

test('short series pass through untouched', () => {
  const values = new Float64Array([3, 1, 2]);
  assert.deepEqual(Array.from(downsampleIndices(values, 10)), [0, 1, 2]);
});

test('long series keep first, last, global min and max, within the bound', () => {
  const n = 100_000;
  const values = noisy(n, 7);
  values[31_337] = -50;
  values[77_777] = 80;
  const steps = new Float64Array(n).map((_, i) => i * 10);
  const out = downsample(steps, values, 1000);
  assert.ok(out.values.length <= 1000, `got ${out.values.length} points`);
  assert.equal(out.steps[0], 0);
  assert.equal(out.steps[out.steps.length - 1], (n - 1) * 10);
  assert.ok(out.values.includes(-50) && out.steps.includes(313_370));
  assert.ok(out.values.includes(80) && out.steps.includes(777_770));
  for (let i = 1; i < out.steps.length; i++) assert.ok(out.steps[i] > out.steps[i - 1], 'steps stay in order');
});

test('every bucket extreme survives: each bucket keeps its own lowest and highest point', () => {
  // 100 buckets of exactly 100 interior points (indices 1..10000), plus the first and the last point.
  const n = 10_002;
  const values = noisy(n, 3);
  const idx = downsampleIndices(values, 202);
  const kept = new Set(idx);
  assert.equal(idx.length, 202, 'first, last, and two points per bucket');
  assert.ok(kept.has(0) && kept.has(n - 1));
  for (let b = 0; b < 100; b++) {
    const start = 1 + b * 100;
    let lo = start;
    let hi = start;
    for (let i = start; i < start + 100; i++) {
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
    }
    const inBucket = Array.from(idx).filter((i) => i >= start && i < start + 100);
    assert.equal(inBucket.length, 2, `bucket ${b} keeps two points`);
    assert.ok(inBucket.some((i) => values[i] === values[lo]), `bucket ${b} keeps its minimum ${values[lo]}`);
    assert.ok(inBucket.some((i) => values[i] === values[hi]), `bucket ${b} keeps its maximum ${values[hi]}`);
  }
});

test('NaN and Infinity become gap markers, not crashes', () => {
  const values = noisy(5000, 11);
  values[100] = NaN;
  values[2500] = Infinity;
  values[4000] = -Infinity;
  const idx = downsampleIndices(values, 300);
  assert.ok(idx.length <= 300);
  const kept = Array.from(idx, (i) => values[i]);
  assert.ok(kept.some((v) => Number.isNaN(v)));
  assert.ok(kept.includes(Infinity) && kept.includes(-Infinity));
  const allNaN = new Float64Array(5000).fill(NaN);
  assert.ok(downsampleIndices(allNaN, 100).length <= 100);
});

test('maxPoints below 4 is rejected with a typed error', () => {
  assert.throws(() => downsampleIndices(new Float64Array(10), 2), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});

test('ema is debiased: a constant series stays constant from the first point', () => {
  const out = ema(new Float64Array([5, 5, 5, 5]), 0.9);
  for (const v of out) assert.ok(Math.abs(v - 5) < 1e-12);
});

test('ema follows the TensorBoard recurrence and lets NaN through without disturbing it', () => {
  const w = 0.6;
  const out = ema([1, NaN, 3], w);
  assert.equal(out[0], 1);
  assert.ok(Number.isNaN(out[1]));
  const last = (0.4 * 1 * 0.6 + 0.4 * 3) / (1 - 0.6 ** 2);
  assert.ok(Math.abs(out[2] - last) < 1e-12);
  assert.throws(() => ema([1], 1), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});
