import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTracklabError } from './errors';
import {
  Limits, normalizeKey, stringifyParam, stringifyTag, validateEndStatus, validateExperimentName, validateKey,
  validateMaxResults, validateMetric, validateParams, validateRunId, validateRunName, validateTags, validateViewType,
} from './validation';

/** Asserts `fn` throws INVALID_PARAMETER_VALUE whose message matches `pattern`. */
function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), `expected INVALID_PARAMETER_VALUE, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('keys accepted by MLflow pass', () => {
  for (const key of ['a', 'Ab-5_', 'a/b/c', 'a.b.c', '.a', 'b.', 'a..a/._./o_O/.e.', 'a b/c d', 'val:loss', 'ünïcode']) {
    assert.doesNotThrow(() => validateKey('Metric', key), key);
  }
});

test('keys with bad characters are refused, naming the allowed ones', () => {
  for (const key of ['a\\b', 'a;b', 'a"b', 'a\nb', 'loss%']) {
    rejects(() => validateKey('Metric', key), /Invalid metric name .*: names may only contain letters, digits/);
  }
});

test('keys that are not in normal path form are refused with the name they resolve to', () => {
  for (const key of ['.', '/', '..', '//', 'a//b', 'a/./b', '/a', 'a/', './', '/./', '../x', 'a/../b']) {
    rejects(() => validateKey('Param', key), /Invalid param name .*must not start with "\/", contain "\.\."/);
  }
  rejects(() => validateKey('Tag', 'a//b'), /would resolve to "a\/b"/);
});

test('missing, non-string and over-long keys', () => {
  rejects(() => validateKey('Metric', ''), /Metric name is missing/);
  rejects(() => validateKey('Metric', undefined), /Metric name is missing/);
  rejects(() => validateKey('Tag', 42), /Tag name must be a string, got number 42/);
  assert.doesNotThrow(() => validateKey('Metric', 'k'.repeat(Limits.keyLength)));
  rejects(() => validateKey('Metric', 'k'.repeat(Limits.keyLength + 1)), /is 251 characters long; the limit is 250/);
});

test('keys checked before are remembered, for every kind, without letting a bad key through', () => {
  for (let round = 0; round < 2; round++) {
    for (const kind of ['Metric', 'Param', 'Tag'] as const) assert.doesNotThrow(() => validateKey(kind, 'val/loss'));
  }
  rejects(() => validateKey('Param', 'val//loss'), /would resolve to "val\/loss"/);
  rejects(() => validateKey('Tag', 'val/loss/'), /Invalid tag name/);
  // More distinct keys than are remembered: the set starts over and the rules still hold.
  for (let i = 0; i < 10_050; i++) validateKey('Metric', `m${i}`);
  assert.doesNotThrow(() => validateKey('Metric', 'm3'));
  rejects(() => validateKey('Metric', 'm3;'), /Invalid metric name/);
  rejects(() => validateKey('Metric', new String('m3')), /Metric name must be a string/);
});

test('normalizeKey follows posix normpath', () => {
  assert.equal(normalizeKey('a//b/./c/'), 'a/b/c');
  assert.equal(normalizeKey('a/../..'), '..');
  assert.equal(normalizeKey('/../a'), '/a');
  assert.equal(normalizeKey(''), '.');
});

test('metric values must be numbers; NaN and ±Infinity are fine', () => {
  for (const v of [NaN, Infinity, -Infinity, -0, 1e308]) assert.doesNotThrow(() => validateMetric('m', v, 0, 0));
  rejects(() => validateMetric('m', true, 0, 0), /Metric "m" got boolean true; metric values must be numbers/);
  rejects(() => validateMetric('m', '0.5', 0, 0), /got the string "0.5"/);
  rejects(() => validateMetric('m', 1n, 0, 0), /got bigint 1/);
});

test('steps are integers; timestamps are non-negative integer milliseconds', () => {
  assert.doesNotThrow(() => validateMetric('m', 1, -3, 0));
  rejects(() => validateMetric('m', 1, 1.5, 0), /got step number 1.5; steps must be integers/);
  rejects(() => validateMetric('m', 1, NaN, 0), /steps must be integers/);
  rejects(() => validateMetric('m', 1, 0, -1), /timestamps must be non-negative integer milliseconds/);
  rejects(() => validateMetric('m', 1, 0, 1.25), /timestamps must be non-negative integer/);
});

test('param values are stringified: numbers, booleans, dates, JSON for objects', () => {
  assert.equal(stringifyParam('p', 'adam'), 'adam');
  assert.equal(stringifyParam('p', 0.1), '0.1');
  assert.equal(stringifyParam('p', NaN), 'NaN');
  assert.equal(stringifyParam('p', false), 'false');
  assert.equal(stringifyParam('p', 12n), '12');
  assert.equal(stringifyParam('p', null), 'null');
  assert.equal(stringifyParam('p', [64, 32]), '[64,32]');
  assert.equal(stringifyParam('p', { a: 1, b: 'x' }), '{"a":1,"b":"x"}');
  assert.equal(stringifyParam('p', new Date(0)), '1970-01-01T00:00:00.000Z');
  rejects(() => stringifyParam('p', undefined), /Param "p" is undefined/);
  rejects(() => stringifyParam('p', () => 1), /Param "p" got a function, which cannot be stored/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  rejects(() => stringifyParam('p', cyclic), /cannot be stored/);
});

test('param and tag value length limits', () => {
  assert.doesNotThrow(() => stringifyParam('p', 'x'.repeat(Limits.paramValueLength)));
  rejects(() => stringifyParam('p', 'x'.repeat(Limits.paramValueLength + 1)), /Param "p" value .* is 6001 characters long; the limit is 6000/);
  assert.doesNotThrow(() => stringifyTag('t', 'x'.repeat(Limits.tagValueLength)));
  rejects(() => stringifyTag('t', 'x'.repeat(Limits.tagValueLength + 1)), /is 8001 characters long; the limit is 8000/);
  rejects(() => stringifyTag('t', { a: 1 }), /Tag "t" got an object. Pass a string, number or boolean/);
});

test('records are validated key by key', () => {
  assert.deepEqual(validateParams({ lr: 0.1, opt: 'adam' }), { lr: '0.1', opt: 'adam' });
  assert.deepEqual(validateTags({ n: 1 }), { n: '1' });
  rejects(() => validateParams([1, 2]), /Params must be a plain object .*got an array/);
  rejects(() => validateParams({ 'a//b': 1 }), /Invalid param name/);
  rejects(() => validateTags(null), /Tags must be a plain object/);
});

test('experiment names, run names, run ids', () => {
  assert.doesNotThrow(() => validateExperimentName('mnist / baseline #2'));
  rejects(() => validateExperimentName(''), /Experiment name is empty/);
  // MLflow keeps leading and trailing spaces as part of the name.
  assert.doesNotThrow(() => validateExperimentName(' padded '));
  rejects(() => validateExperimentName('   '), /Experiment name is empty/);
  rejects(() => validateExperimentName('tab\there'), /control characters/);
  rejects(() => validateExperimentName('x'.repeat(Limits.experimentNameLength + 1)), /the limit is 500/);
  assert.doesNotThrow(() => validateRunName('brave-otter-042'));
  rejects(() => validateRunName('a\u0000b'), /Run name .* control characters/);
  rejects(() => validateRunName('x'.repeat(Limits.runNameLength + 1)), /the limit is 250/);
  assert.doesNotThrow(() => validateRunId('abc_123-x'));
  rejects(() => validateRunId('../etc'), /Invalid run id "..\/etc"/);
  rejects(() => validateRunId(''), /Invalid run id/);
});

test('statuses, page sizes and view types', () => {
  assert.doesNotThrow(() => validateEndStatus('KILLED'));
  rejects(() => validateEndStatus('RUNNING'), /Use one of FINISHED, FAILED, KILLED/);
  rejects(() => validateMaxResults(0), /maxResults must be an integer between 1 and 50000, got number 0/);
  rejects(() => validateMaxResults(2.5), /maxResults/);
  rejects(() => validateViewType('ACTIVE'), /viewType must be "active", "deleted" or "all"/);
});
