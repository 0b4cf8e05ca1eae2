import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { gridPoints, isSweep, parseParamArgs, splitValues } from './param-grid';

test('commas sweep; \\, and \\\\ escape; brackets, braces and double quotes protect JSON; the rest is verbatim', () => {
  assert.deepEqual(splitValues('0.01,0.1'), ['0.01', '0.1']);
  assert.deepEqual(splitValues('a\\,b'), ['a,b']);
  assert.deepEqual(splitValues('a\\\\,b'), ['a\\', 'b']);
  assert.deepEqual(splitValues('[64,32],[128]'), ['[64,32]', '[128]']);
  assert.deepEqual(splitValues('{"a":1,"b":[2,3]}'), ['{"a":1,"b":[2,3]}']);
  assert.deepEqual(splitValues('"x,y",z'), ['"x,y"', 'z']);
  assert.deepEqual(splitValues("; rm -rf / $(x) `y` 'q' \\n"), ["; rm -rf / $(x) `y` 'q' \\n"]);
  assert.deepEqual(splitValues(''), ['']);
});

test('-P arguments: repeated keys add values, duplicates collapse; the grid varies the first key slowest', () => {
  const choices = parseParamArgs(['lr=0.01,0.1', 'epochs=5', 'epochs=10', 'lr=0.1', 'eq=a=b']);
  assert.deepEqual({ ...choices }, { lr: ['0.01', '0.1'], epochs: ['5', '10'], eq: ['a=b'] });
  // Names like __proto__ are kept as names (and then refused as unknown parameters), never lost.
  assert.deepEqual(Object.keys(parseParamArgs(['__proto__=1', 'constructor=2'])), ['__proto__', 'constructor']);
  assert.equal(isSweep(choices), true);
  assert.equal(isSweep(parseParamArgs(['lr=1'])), false);
  assert.deepEqual(gridPoints({ a: ['1', '2'], b: ['x', 'y'] }), [{ a: '1', b: 'x' }, { a: '1', b: 'y' }, { a: '2', b: 'x' }, { a: '2', b: 'y' }]);
  assert.deepEqual(gridPoints({}), [{}]);
  for (const bad of ['lr', '=1', '1x=2', 'a b=1']) {
    assert.throws(() => parseParamArgs([bad]), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  }
  const many = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`k${i}`, Array.from({ length: 6 }, (_, j) => String(j))]));
  assert.throws(() => gridPoints(many), /1296 points, more than 1000/);
});
