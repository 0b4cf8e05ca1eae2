import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBlock, encodeBlock } from './block-codec';
import { summarizeBlock } from './block-summary';
import { checkReceivedBlock } from './received-block';
import { isTracklabError } from '../errors';

/** A seeded generator, so a failure names a block that can be made again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -Number.MAX_VALUE, 1];

function column(kind: string, n: number, r: () => number): number[] {
  const start = Math.floor(r() * 1000) - 500;
  switch (kind) {
    case 'up': return Array.from({ length: n }, (_, i) => start + 3 * i);
    case 'up1': return Array.from({ length: n }, (_, i) => 1_700_000_000_000 + start + i);
    case 'flat': return Array.from({ length: n }, () => start);
    case 'down': return Array.from({ length: n }, (_, i) => start - 3 * i);
    case 'jumpy': return Array.from({ length: n }, () => Math.floor(r() * 50));
    case 'huge': return Array.from({ length: n }, (_, i) => 2 ** 53 - 2 + 2 * i);
    default: return Array.from({ length: n }, (_, i) => (i === 0 ? -0 : 2 ** 60 + i * 4096));
  }
}

/** The error `fn` throws, or undefined. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

test('the summary read from an encoded block is the one summarizeBlock gives its decoded points, field for field, and both refuse the same blocks', () => {
  const r = random(7);
  let checked = 0;
  let refused = 0;
  for (const stepKind of ['up', 'up1', 'flat', 'down', 'jumpy', 'huge', 'raw']) {
    for (const timeKind of ['up1', 'flat', 'jumpy', 'down', 'huge']) {
      for (const n of [1, 2, 3, 17, 1000]) {
        const values = Array.from({ length: n }, () => (r() < 0.3 ? SPECIAL[Math.floor(r() * SPECIAL.length)] : r() - 0.5));
        const data = encodeBlock(new Float64Array(column(stepKind, n, r)), new Float64Array(column(timeKind, n, r)), new Float64Array(values));
        const { steps, timestamps, values: vs } = decodeBlock(data);
        const label = `${stepKind} steps, ${timeKind} timestamps, ${n} points`;
        // Steps past ±2^53 or timestamps below 0 or past 2^53 (the 'huge', 'raw' and 'down' columns) are refused, as logMetric refuses them.
        const refusal = thrown(() => summarizeBlock('r', 'k', steps, timestamps, vs));
        if (refusal !== undefined) {
          assert.ok(isTracklabError(refusal, 'INVALID_PARAMETER_VALUE'), `${label}: ${String(refusal)}`);
          const got = thrown(() => checkReceivedBlock({ runId: 'r', key: 'k', data }));
          assert.ok(isTracklabError(got, 'INVALID_PARAMETER_VALUE'), `${label}: summarizeBlock refuses it, so must checkReceivedBlock (got ${String(got)})`);
          assert.match((got as Error).message, /Metric "k" of run r: step .* must both be integers within ±9007199254740991, the timestamp not negative/);
          refused++;
          continue;
        }
        const expected = summarizeBlock('r', 'k', steps, timestamps, vs)!;
        const got = checkReceivedBlock({ runId: 'r', key: 'k', data })!;
        for (const field of ['key', 'last', 'lastStep', 'lastTimestamp', 'min', 'max', 'count'] as const) {
          assert.ok(Object.is(got.summary[field], expected[field]), `${label}: ${field} is ${String(got.summary[field])}, not ${String(expected[field])}`);
        }
        assert.deepEqual([got.n, got.firstStep, got.lastStep], [n, steps[0], steps[n - 1]], label);
        assert.equal(got.data, data, 'the bytes are kept, not copied or encoded again');
        checked++;
      }
    }
  }
  assert.equal(checked + refused, 175);
  assert.ok(checked >= 80 && refused >= 40, `both kinds are exercised: ${checked} summarised, ${refused} refused`);
});

test('a block of no points needs no row; fractional steps or timestamps are refused as appendMetrics refuses them', () => {
  assert.equal(checkReceivedBlock({ runId: 'r', key: 'k', data: encodeBlock(new Float64Array(), new Float64Array(), new Float64Array()) }), undefined);
  for (const [steps, timestamps] of [[[0.5, 1.5], [1, 2]], [[0, 1], [1.5, 2.5]], [[0, 1], [1, 2.5]]]) {
    const data = encodeBlock(new Float64Array(steps), new Float64Array(timestamps), new Float64Array([1, 2]));
    assert.throws(() => checkReceivedBlock({ runId: 'r', key: 'k', data }),
      (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && /Metric "k" of run r: step .* must both be integers/.test((err as Error).message));
  }
});

test('a received block is refused for the steps and timestamps logMetric refuses: a step past ±2^53, a negative or too-large timestamp, on the fast path too', () => {
  const good = encodeBlock(new Float64Array([0, 1, 2]), new Float64Array([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]), new Float64Array([1, 2, 3]));
  assert.equal(checkReceivedBlock({ runId: 'r', key: 'loss', data: good })?.n, 3, 'the usual block passes');
  const cases: [string, number[], number[]][] = [
    // Regular columns: the fast path reads only the layout.
    ['arithmetic steps past 2^53', [2 ** 53, 2 ** 53 + 2], [1, 2]],
    ['arithmetic timestamps below 0', [0, 1], [-2, -1]],
    ['arithmetic timestamps past 2^53', [0, 1], [2 ** 53 + 2, 2 ** 53 + 4]],
    ['huge timestamps', [0, 1], [1.69e137, 1.69e137]],
    ['delta timestamps that dip below 0 and come back', [0, 1, 2], [5, -1e6, 5]],
    ['delta timestamps that rise past 2^53 and come back', [0, 1, 2], [5, 2 ** 60, 5]],
    // Irregular steps: decoded and checked point by point.
    ['a step of 1e300', [0, 1e300], [1, 2]],
    ['a step past -2^53', [5, -(2 ** 54)], [1, 2]],
  ];
  for (const [label, steps, timestamps] of cases) {
    const data = encodeBlock(new Float64Array(steps), new Float64Array(timestamps), new Float64Array(steps.map(() => 1)));
    assert.throws(() => checkReceivedBlock({ runId: 'r', key: 'loss', data }),
      (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && /must both be integers within/.test((err as Error).message), label);
  }
  const negativeSteps = encodeBlock(new Float64Array([-5, -4]), new Float64Array([0, 0]), new Float64Array([1, 2]));
  assert.equal(checkReceivedBlock({ runId: 'r', key: 'loss', data: negativeSteps })?.summary.lastStep, -4, 'negative steps pass, as logMetric takes them');
});
