import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSafeJson } from './safe-json';

test('NaN, Infinity and -Infinity tokens are numbers only when asked (as Python\'s json.loads), and never inside strings', () => {
  const text = '{"a": [NaN, Infinity, -Infinity, 1], "s": "NaN Infinity", "k": {"NaN": -Infinity}}';
  assert.throws(() => parseSafeJson(text, { what: 'x' }), /not valid JSON/);
  assert.deepEqual(parseSafeJson(text, { what: 'x', nonFinite: true }), { a: [NaN, Infinity, -Infinity, 1], s: 'NaN Infinity', k: { NaN: -Infinity } });
  for (const bad of ['[NaNa]', '[-NaN]', '[+Infinity]', '[Inf]']) assert.throws(() => parseSafeJson(bad, { what: 'x', nonFinite: true }), /not valid JSON/, bad);
  // A string that looks like the internal marker stays a string.
  assert.deepEqual(parseSafeJson('["\\u0000nonfinite-00-NaN", NaN]', { what: 'x', nonFinite: true }), ['\u0000nonfinite-00-NaN', NaN]);
});
