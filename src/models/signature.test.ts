import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { inferSchema, inferSignature } from './signature';
import { schemaToJson, schemaFromJson, signatureToJson } from './schema';
import { enforceInput, enforceParams } from './validate-input';
import { pythonJsonDumps } from './python-json';

test('row objects infer column specs: number→double, bigint→long, string, boolean; missing → optional', () => {
  const schema = inferSchema([{ x: 1, n: 3n, s: 'a', b: true }, { x: 2.5, n: 4n, s: 'b', b: false, extra: 'only here' }]);
  assert.deepEqual(schema, [
    { type: 'double', name: 'x', required: true },
    { type: 'long', name: 'n', required: true },
    { type: 'string', name: 's', required: true },
    { type: 'boolean', name: 'b', required: true },
    { type: 'string', name: 'extra', required: false },
  ]);
  assert.equal(schemaToJson(schema.slice(0, 1)), '[{"type": "double", "name": "x", "required": true}]');
});

test('whole numbers in columns are long, as MLflow infers them from the JSON example; fractions, NaN, ±Infinity and mixes are double', () => {
  // MLflow's _infer_schema types a JSON int as long, and its enforcement refuses an int64 column for a
  // double signature ("Can not safely convert int64 to float64"), so typing these double broke the example.
  const schema = inferSchema([
    { id: 1, n: 0, big: 2 ** 53 - 1, neg: -7, x: 0.5, mixed: 1, nan: NaN, inf: Infinity },
    { id: 2, n: -0, big: 3, neg: -8, x: 1.25, mixed: 0.5, nan: 1, inf: 2 },
  ]);
  assert.deepEqual(Object.fromEntries(schema.map((c) => [(c as { name: string }).name, c.type])), {
    id: 'long', n: 'long', big: 'long', neg: 'long', x: 'double', mixed: 'double', nan: 'double', inf: 'double',
  });
  assert.deepEqual(inferSchema(['a', 'b']), [{ type: 'string', required: true }]);
  assert.deepEqual(inferSchema({ k: 3, r: 0.1 }), [{ type: 'long', name: 'k', required: true }, { type: 'double', name: 'r', required: true }]);
  // A long column takes whole numbers and refuses fractions, as MLflow refuses float64 for int64.
  assert.equal((enforceInput(schema, [{ id: 3, n: 1, big: 4, neg: 0, x: 2, mixed: 3, nan: NaN, inf: -Infinity }]) as unknown[]).length, 1);
  assert.throws(() => enforceInput(schema, [{ id: 3.5, n: 1, big: 4, neg: 0, x: 2, mixed: 3, nan: 0, inf: 0 }]), /column "id" is the number 3.5; the signature says long/);
});

test('numeric arrays and tensors infer tensor specs with a -1 batch dimension', () => {
  const spec = (dtype: string, shape: number[]) => [{ type: 'tensor', 'tensor-spec': { dtype, shape } }];
  assert.deepEqual(inferSchema([[1, 2, 3], [4, 5, 6]]), spec('float64', [-1, 3]));
  assert.deepEqual(inferSchema([[1, 2, 3]], { numberDtype: 'float32' }), spec('float32', [-1, 3]));
  assert.deepEqual(inferSchema([1, 2, 3]), spec('float64', [-1]));
  assert.deepEqual(inferSchema(new Float32Array(4)), spec('float32', [-1]));
  assert.deepEqual(inferSchema([new Int32Array(2), new Int32Array(2)]), spec('int32', [-1, 2]));
  assert.deepEqual(inferSchema({ data: new Float32Array(12), dims: [3, 2, 2] }), spec('float32', [-1, 2, 2]));
  const t = tf.zeros([5, 7]);
  assert.deepEqual(inferSchema(t), spec('float32', [-1, 7]));
  t.dispose();
  assert.equal(schemaToJson(inferSchema([[1, 2, 3, 4]])), '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]');
});

test('named tensors, lists of strings and scalars', () => {
  assert.deepEqual(inferSchema({ a: [[1, 2]], b: new Float32Array(3) }), [
    { type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 2] }, name: 'a' },
    { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1] }, name: 'b' },
  ]);
  assert.deepEqual(inferSchema(['a', 'b']), [{ type: 'string', required: true }]);
  assert.deepEqual(inferSchema({ q: 'hello', k: 3 }), [{ type: 'string', name: 'q', required: true }, { type: 'long', name: 'k', required: true }]);
});

test('inference refuses what has no MLflow equivalent, and says what to do', () => {
  for (const bad of [[], [[1, 2], [3]], [{ a: 1 }, { a: 'x' }], [{ a: null }], {}, Symbol('x'), [() => 1]]) {
    assert.throws(() => inferSchema(bad), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE' && /give \{ signature \}/.test(e.message));
  }
});

test('outputs come from a prediction when one is given', () => {
  const sig = inferSignature([{ a: 1 }], [0.5, 0.25]);
  assert.deepEqual(signatureToJson(sig), {
    inputs: '[{"type": "long", "name": "a", "required": true}]',
    outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]',
    params: null,
  });
  assert.equal(inferSignature([{ a: 1 }], Symbol('unserialisable')).outputs, null);
});

test('enforceInput: wrong columns, types and shapes give clear INVALID_PARAMETER_VALUE errors', () => {
  const cols = schemaFromJson('[{"type": "double", "name": "a"}, {"type": "long", "name": "b", "required": true}, {"type": "string", "name": "c", "required": false}]', 'inputs');
  assert.deepEqual(enforceInput(cols, { a: 1, b: 2 }), [{ a: 1, b: 2 }]);
  assert.deepEqual(enforceInput(cols, [[1.5, 2, 'x']]), [[1.5, 2, 'x']]);
  assert.deepEqual(enforceInput(cols, { a: [1, 2], b: [3, 4] }), [{ a: 1, b: 3 }, { a: 2, b: 4 }], 'columnar (tf-serving) form');
  assert.throws(() => enforceInput(cols, { a: [1, 2], b: [3] }), /different lengths \(a: 2, b: 1\)/);
  const fails: [unknown, RegExp][] = [
    [[{ a: 1 }], /row 0 is missing the required column "b" \(the signature's columns: a, b, c\)/],
    [[{ a: 1, b: 2.5 }], /row 0, column "b" is the number 2.5; the signature says long/],
    [[{ a: '1', b: 2 }], /column "a" is the string "1"; the signature says double/],
    [[{ a: 1, b: 2, c: 5 }], /column "c" is the number 5; the signature says string/],
    [[[1, 2]], /row 0 has 2 values but the signature has 3 columns \(a, b, c\)/],
    ['text', /takes rows with columns a, b, c/],
  ];
  for (const [input, message] of fails) {
    assert.throws(() => enforceInput(cols, input), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE' && message.test(e.message), String(message));
  }

  const tensor = schemaFromJson('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2, 3]}}]', 'inputs');
  assert.doesNotThrow(() => enforceInput(tensor, [[[1, 2, 3], [4, 5, 6]]]));
  assert.throws(() => enforceInput(tensor, [[1, 2, 3]]), /shape \[1, 3\] but the signature expects shape \[-1, 2, 3\] \(rank 3, got rank 2\)/);
  assert.throws(() => enforceInput(tensor, [[[1, 2], [3, 4]]]), /dimension 2 is 2, expected 3/);
  assert.throws(() => enforceInput(tensor, [[[1, 2, 'x'], [4, 5, 6]]]), /must be a tensor of shape \[-1, 2, 3\]/);
  assert.throws(() => enforceInput(tensor, [[[1, 2, 3]], [[1, 2, 3], [4, 5, 6]]]), /ragged/);
  assert.throws(() => enforceInput(tensor, []), /got an empty array; pass at least one row/, 'an empty batch is not called ragged');
  const vector = schemaFromJson('[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]', 'inputs');
  assert.throws(() => enforceInput(vector, [{ x: 1 }, { x: 2 }]), /got rows with named columns \(x\); the signature is an unnamed tensor, so pass nested arrays of numbers/,
    'rows (a CSV table, dataframe_split) are not called ragged');

  const named = schemaFromJson('[{"type": "tensor", "name": "ids", "tensor-spec": {"dtype": "int64", "shape": [-1]}}, {"type": "tensor", "name": "mask", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]', 'inputs');
  assert.throws(() => enforceInput(named, { ids: [1, 2] }), /missing the tensor "mask"/);
});

test('enforceParams fills defaults and checks types', () => {
  const specs = [{ name: 'k', type: 'long' as const, default: 3, shape: null }, { name: 'ids', type: 'long' as const, default: [1], shape: [-1] }];
  assert.deepEqual(enforceParams(specs, undefined), { k: 3, ids: [1] });
  assert.deepEqual(enforceParams(specs, { k: 5 }), { k: 5, ids: [1] });
  assert.throws(() => enforceParams(specs, { k: 'x' }), /Param "k" is the string "x"; the signature says long/);
  assert.throws(() => enforceParams(specs, { ids: 2 }), /Param "ids" must be a list of long/);
  // As MLflow: params the signature does not declare are dropped (with a warning), not refused.
  assert.deepEqual(enforceParams(specs, { nope: 1, k: 4 }), { k: 4, ids: [1] });
});

test('schemas from MLmodel files are checked against MLflow\'s rules', () => {
  assert.throws(() => schemaFromJson('[{"type": "double", "name": "a"}, {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]', 'inputs'), /mixes column and tensor/);
  assert.throws(() => schemaFromJson('[{"type": "double", "name": "a"}, {"type": "double"}]', 'inputs'), /mixes named and unnamed/);
  assert.throws(() => schemaFromJson('[{"type": "decimal"}]', 'inputs'), /type "decimal"/);
  assert.throws(() => schemaFromJson('[{"type": "double", "__proto__": {}}]', 'inputs'), /key "__proto__"/);
  assert.throws(() => schemaFromJson('[]', 'inputs'), /at least one/);
});

test('pythonJsonDumps writes what Python json.dumps writes', () => {
  assert.equal(pythonJsonDumps({ a: [1, 2.5, null, true], 'é': 'ü' }), '{"a": [1, 2.5, null, true], "\\u00e9": "\\u00fc"}');
  assert.equal(pythonJsonDumps([NaN, Infinity, -Infinity]), '[NaN, Infinity, -Infinity]');
});
