/**
 * Save → load → predict for every flavor, each with a real model built or
 * trained here; predictions after loading must equal those before saving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RandomForestRegression } from 'ml-random-forest';
import { saveModel } from '../../src/models/package';
import { loadModel } from '../../src/models/load-model';
import { readMLmodel } from '../../src/models/mlmodel';
import { buildLinearOnnx, linearReference } from '../fixtures/models/build-onnx';
import { tempDir } from './helpers';

interface Regression { predict(x: number[]): number[]; toJSON(): unknown }
// ml-regression ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PolynomialRegression, SimpleLinearRegression } = require('ml-regression') as {
  SimpleLinearRegression: new (x: number[], y: number[]) => Regression;
  PolynomialRegression: new (x: number[], y: number[], degree: number) => Regression;
};

const rows = [[0.1, 0.2, 0.3], [1, -1, 0.5], [2.5, 0, -3], [0, 0, 0]];

test('tfjs: a trained LayersModel predicts the same after save and load', async () => {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2 }));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const xs = tf.tensor2d(rows);
  const ys = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
  await model.fit(xs, ys, { epochs: 3, verbose: 0 });
  const before = (model.predict(xs) as tf.Tensor).arraySync();

  const dir = path.join(tempDir(), 'model');
  const mlmodel = await saveModel(model, dir, { inputExample: rows });
  assert.equal(mlmodel.flavors.js_function.loader_module, 'tracklab.models.tfjs');
  assert.equal(mlmodel.flavors.tfjs.model_dir, 'model');
  assert.ok(fs.existsSync(path.join(dir, 'model', 'model.json')));
  assert.ok(fs.statSync(path.join(dir, 'model', 'weights.bin')).size > 0);
  assert.equal(mlmodel.signature?.inputs, '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]');
  assert.equal(mlmodel.signature?.outputs, '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]');
  const requirements = JSON.parse(fs.readFileSync(path.join(dir, 'requirements.json'), 'utf8'));
  assert.equal(requirements.dependencies['@tensorflow/tfjs'], tf.version.tfjs);

  const loaded = await loadModel(dir);
  assert.equal(loaded.flavor, 'tfjs');
  assert.deepEqual(await loaded.predict(rows), before);
  assert.deepEqual(await loaded.predict(loaded.inputExample()), before);
  await assert.rejects(loaded.predict([[1, 2]]), /shape \[1, 2\].*expects shape \[-1, 3\]: dimension 1 is 2, expected 3/);
});

test('onnx: a hand-built Gemm model predicts the same after save and load', async () => {
  const spec = { weights: [[0.5, -1], [2, 0.25], [-0.75, 1.5]], bias: [0.1, -0.2] };
  const bytes = buildLinearOnnx(spec);
  const src = path.join(tempDir(), 'linear.onnx');
  fs.writeFileSync(src, bytes);

  const dir = path.join(tempDir(), 'model');
  const mlmodel = await saveModel(src, dir, { inputExample: rows });
  assert.equal(mlmodel.flavors.js_function.loader_module, 'tracklab.models.onnx');
  assert.deepEqual(mlmodel.flavors.onnx.input_names, ['x']);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'model.onnx')), bytes);

  const loaded = await loadModel(dir);
  const after = await loaded.predict(rows);
  assert.deepEqual(after, linearReference(spec, rows));
  // Other input forms give the same numbers.
  assert.deepEqual(await loaded.predict({ data: Float32Array.from(rows.flat()), dims: [4, 3] }), after);
  assert.deepEqual(await loaded.predict({ x: rows }), after);
  // Bytes work as the model too, and agree.
  const fromBytes = await loadModel(await (async () => { const d = path.join(tempDir(), 'm'); await saveModel(bytes, d); return d; })());
  assert.deepEqual(await fromBytes.predict(rows), after);
});

test('json: ml-random-forest RandomForestRegression round-trips through toJSON/load', async () => {
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 80; i++) {
    const a = i % 7;
    const b = (i * 3) % 11;
    X.push([a, b]);
    y.push(2 * a + 0.5 * b + (i % 3));
  }
  const forest = new RandomForestRegression({ nEstimators: 8, seed: 7, noOOB: true });
  forest.train(X, y);
  const query = [[1, 2], [6, 10], [3, 3]];
  const before = forest.predict(query);

  const dir = path.join(tempDir(), 'model');
  const mlmodel = await saveModel(forest, dir, { inputExample: [{ a: 1, b: 2 }, { a: 6, b: 10 }] });
  assert.deepEqual(
    { module: mlmodel.flavors.json.module, export: mlmodel.flavors.json.export },
    { module: 'ml-random-forest', export: 'RandomForestRegression' },
  );
  // Whole-number example columns are long, as MLflow infers them.
  assert.equal(mlmodel.signature?.inputs, '[{"type": "long", "name": "a", "required": true}, {"type": "long", "name": "b", "required": true}]');

  const loaded = await loadModel(dir);
  assert.deepEqual(await loaded.predict(query), before);
  // Row objects go through the signature's column order.
  assert.deepEqual(await loaded.predict([{ b: 2, a: 1 }, { a: 6, b: 10 }, { a: 3, b: 3 }]), before);
  await assert.rejects(loaded.predict([{ a: 1 }]), /row 0 is missing the required column "b"/);
  await assert.rejects(loaded.predict([{ a: 1, b: 'x' }]), /column "b" is the string "x"; the signature says long/);
});

test('json: ml-regression SimpleLinearRegression and PolynomialRegression round-trip', async () => {
  const slr = new SimpleLinearRegression([1, 2, 3, 4], [2, 4.1, 6.2, 7.9]);
  const poly = new PolynomialRegression([1, 2, 3, 4, 5], [1, 4, 9, 16, 25.5], 2);
  for (const model of [slr, poly]) {
    const dir = path.join(tempDir(), 'model');
    const mlmodel = await saveModel(model, dir, { inputExample: [5, 6, 7.5] });
    assert.equal(mlmodel.flavors.json.module, 'ml-regression');
    const loaded = await loadModel(dir);
    assert.deepEqual(await loaded.predict([5, 6, 7.5]), model.predict([5, 6, 7.5]));
  }
});

test('js_function: an object with predict() is packaged as a module file', async () => {
  const work = tempDir();
  const code = path.join(work, 'scorer.js');
  fs.writeFileSync(code, 'exports.model = { predict(rows, params) { const k = (params && params.scale) || 1; return rows.map((r) => (r.a * 2 + r.b) * k); } };\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const model = require(code).model as { predict(rows: unknown, params?: unknown): number[] };
  const input = [{ a: 1, b: 2 }, { a: -3, b: 0.5 }];
  const before = model.predict(input);

  const dir = path.join(tempDir(), 'model');
  const mlmodel = await saveModel(model, dir, {
    code, export: 'model', inputExample: input,
    signature: {
      inputs: [{ type: 'double', name: 'a' }, { type: 'double', name: 'b' }],
      outputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }],
      params: [{ name: 'scale', type: 'double', default: 1, shape: null }],
    },
  });
  assert.deepEqual(Object.keys(mlmodel.flavors), ['js_function']);
  assert.equal(mlmodel.flavors.js_function.code, 'code/scorer.js');
  assert.equal(mlmodel.flavors.js_function.export, 'model');

  fs.rmSync(work, { recursive: true }); // the package must not depend on the original file
  const loaded = await loadModel(dir);
  assert.deepEqual(await loaded.predict(input), before);
  assert.deepEqual(await loaded.predict(input, { scale: 3 }), model.predict(input, { scale: 3 }));
  // A param the signature does not declare is ignored, as MLflow ignores it.
  assert.deepEqual(await loaded.predict(input, { temperature: 1 }), before);
});

test('js_function: an export the code file does not have is refused when saving, not first when loading', async () => {
  const work = tempDir();
  const code = path.join(work, 'typo.js');
  fs.writeFileSync(code, 'exports.model = { predict: (rows) => rows.map(() => 1) };\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const model = require(code).model as { predict(rows: unknown): number[] };
  for (const [given, name] of [[model, 'modl'], [undefined, 'modl'], [model, 'default']] as const) {
    await assert.rejects(saveModel(given, path.join(tempDir(), 'model'), { flavor: 'js_function', code, export: name }),
      (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE' && new RegExp(`typo\\.js has no export "${name}" with a predict\\(\\) method`).test(e.message), `${name}`);
  }
  const dir = path.join(tempDir(), 'model');
  await saveModel(model, dir, { code, export: 'model' });
  assert.deepEqual(await (await loadModel(dir)).predict([[1]]), [1]);
});

test('js_function: the check is made on the copy the package loads: an edited file, and a file that needs a neighbour', async () => {
  const work = tempDir();
  const code = path.join(work, 'edited.js');
  fs.writeFileSync(code, 'exports.model = { predict: (rows) => rows.map(() => 1) };\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(code); // the original stays in require's cache, as in a notebook that saves, edits and saves again
  fs.writeFileSync(code, 'exports.predictor = { predict: (rows) => rows.map(() => 2) };\n');
  const dir = path.join(tempDir(), 'model');
  await assert.rejects(saveModel(undefined, dir, { flavor: 'js_function', code, export: 'model' }), /edited\.js has no export "model"/);
  await saveModel(undefined, dir, { flavor: 'js_function', code, export: 'predictor' }); // the same folder: the refusal left it empty
  assert.deepEqual(await (await loadModel(dir)).predict([[1]]), [2]);

  const needs = path.join(work, 'needs.js');
  fs.writeFileSync(path.join(work, 'helper.js'), 'exports.one = () => 1;\n');
  fs.writeFileSync(needs, 'const { one } = require("./helper"); exports.model = { predict: (rows) => rows.map(one) };\n');
  await assert.rejects(saveModel(undefined, path.join(tempDir(), 'model'), { flavor: 'js_function', code: needs, export: 'model' }),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE' && /failed to load: Cannot find module '\.\/helper'/.test(e.message));
});

test('js_function: code that resolves outside the package is refused', async () => {
  const work = tempDir();
  const outside = path.join(work, 'evil.js');
  fs.writeFileSync(outside, 'globalThis.__tracklabEvilRan = true; exports.model = { predict: () => 1 };\n');
  const code = path.join(work, 'ok.js');
  fs.writeFileSync(code, 'exports.model = { predict: () => 0 };\n');
  const dir = path.join(tempDir(), 'model');
  await saveModel(undefined, dir, { flavor: 'js_function', code, export: 'model' });

  const mlmodelPath = path.join(dir, 'MLmodel');
  const original = fs.readFileSync(mlmodelPath, 'utf8');
  const attempts = [`../${path.relative(path.dirname(dir), outside)}`, outside, 'code/%2e%2e/%2e%2e/evil.js', 'code\\..\\evil.js'];
  for (const attempt of attempts) {
    fs.writeFileSync(mlmodelPath, original.replace('code: code/ok.js', `code: '${attempt}'`));
    await assert.rejects(loadModel(dir), (err: Error & { code?: string }) => err.code === 'INVALID_PARAMETER_VALUE' && /model package/.test(err.message), attempt);
  }
  // A symlink inside the package pointing outside is caught by the real-path check.
  fs.symlinkSync(outside, path.join(dir, 'code', 'link.js'));
  fs.writeFileSync(mlmodelPath, original.replace('code: code/ok.js', 'code: code/link.js'));
  await assert.rejects(loadModel(dir), /resolves outside the model package/);
  assert.equal((globalThis as Record<string, unknown>).__tracklabEvilRan, undefined);

  fs.writeFileSync(mlmodelPath, original);
  assert.equal(await (await loadModel(dir)).predict([1]), 0);
});

test('json: the module name in MLmodel must be an npm package name, never a path', async () => {
  const slr = new SimpleLinearRegression([1, 2, 3], [2, 4, 6]);
  const dir = path.join(tempDir(), 'model');
  await saveModel(slr, dir);
  const file = path.join(dir, 'MLmodel');
  const original = fs.readFileSync(file, 'utf8');
  for (const bad of ['./model.json', '/etc/passwd', '../../node_modules/ml-regression', 'ml-regression/../../x']) {
    fs.writeFileSync(file, original.replace('module: ml-regression', `module: '${bad}'`));
    await assert.rejects(loadModel(dir), /not an npm package name/, bad);
  }
  fs.writeFileSync(file, original.replace('loader_module: tracklab.models.json', 'loader_module: ./evil'));
  await assert.rejects(loadModel(dir), /loader_module "\.\/evil" is not one tracklab knows/);
  assert.equal(readMLmodel(dir).flavors.json.module, 'ml-regression');
});

test('saveModel refuses a non-empty directory and an undetectable model', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'x'), '1');
  await assert.rejects(saveModel(new SimpleLinearRegression([1, 2], [1, 2]), dir), (e: Error & { code?: string }) => e.code === 'RESOURCE_ALREADY_EXISTS');
  await assert.rejects(saveModel({ predict: () => 1 }, path.join(tempDir(), 'm')), /Cannot tell the model's flavor/);
});
