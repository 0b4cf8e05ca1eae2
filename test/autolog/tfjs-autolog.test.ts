/**
 * TensorFlow.js autolog with real tfjs (pure JS CPU backend): what a fit
 * records, the logged model, user callbacks, early stopping, per-batch
 * metrics, fitDataset, and patching (tfjs loaded after autolog, idempotent,
 * disable restores the originals).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { getClient } from '../../src/config';
import { disableTfjsAutolog, enableTfjsAutolog, tfjsAutologEnabled } from '../../src/autolog';
import { loadModel } from '../../src/models';
import { denseModel, freshStore, regressionData, series, tf } from './tfjs-helpers';

const requireBefore = (Module as unknown as { prototype: { require: unknown } }).prototype.require;

after(() => disableTfjsAutolog());

test('autolog turned on before tfjs is loaded patches it when it is required', () => {
  assert.equal(Object.keys(require.cache).some((f) => f.includes(`${path.sep}@tensorflow${path.sep}tfjs-layers`)), false);
  enableTfjsAutolog();
  const t = tf();
  assert.ok(Object.getOwnPropertySymbols(t.LayersModel.prototype.fit).length > 0, 'LayersModel.fit is wrapped');
  assert.ok(Object.getOwnPropertySymbols(t.Sequential.prototype.fitDataset).length > 0, 'Sequential.fitDataset is wrapped');
});

test('params and per-epoch metrics match the History fit returned', async () => {
  freshStore();
  const { x, y } = regressionData();
  const model = denseModel(0.05, ['mse', 'mae']);
  const history = await model.fit(x, y, { epochs: 4, batchSize: 16, validationSplit: 0.25 });
  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 1);
  const run = runs[0];
  assert.equal(run.info.status, 'FINISHED');
  assert.deepEqual({ ...run.data.params }, {
    optimizer: 'Adam', learning_rate: '0.05', 'optimizer.beta1': '0.9', 'optimizer.beta2': '0.999', 'optimizer.epsilon': '1e-7',
    loss: 'meanSquaredError', metrics: 'mse,mae', epochs: '4', batch_size: '16', validation_split: '0.25', shuffle: 'true',
    layer_count: '2', trainable_params: String(4 * 6 + 6 + 6 * 1 + 1),
  });
  assert.equal(run.data.tags['tracklab.autolog'], 'tfjs');
  const logged = await series(getClient(), run.info.runId);
  assert.deepEqual([...logged.keys()].sort(), Object.keys(history.history).sort());
  for (const [key, values] of Object.entries(history.history)) {
    assert.deepEqual(logged.get(key)?.steps, history.epoch, key);
    assert.deepEqual(logged.get(key)?.values, values, key);
  }
  const summaryDir = await getClient().downloadArtifacts(`runs:/${run.info.runId}/model_summary.txt`);
  const summary = fs.readFileSync(fs.statSync(summaryDir).isDirectory() ? path.join(summaryDir, 'model_summary.txt') : summaryDir, 'utf8');
  assert.match(summary, /Total params: 37/);
  assert.match(summary, /Dense/);
});

test('the logged model reloads from runs:/<id>/model and predicts the same values', async () => {
  freshStore();
  const { x, y } = regressionData();
  const model = denseModel();
  await model.fit(x, y, { epochs: 2, batchSize: 32 });
  const { runs } = await getClient().searchRuns();
  const loaded = await loadModel(`runs:/${runs[0].info.runId}/model`);
  assert.equal(loaded.flavor, 'tfjs');
  const rows = (x.slice(0, 8).arraySync() as number[][]);
  const expected = (model.predict(tf().tensor2d(rows)) as ReturnType<typeof tf>['Tensor']['prototype']).arraySync();
  assert.deepEqual(await loaded.predict(rows), expected);
  // The input example is the first rows of x.
  assert.deepEqual(loaded.inputExample(), rows.slice(0, 5));
});

test('user callbacks still fire, whether configs, callback objects or arrays of them', async () => {
  freshStore();
  const { x, y } = regressionData();
  const counts = { config: 0, arrayA: 0, arrayB: 0, custom: 0, batches: 0 };
  await denseModel().fit(x, y, { epochs: 3, batchSize: 32, callbacks: { onEpochEnd: () => { counts.config++; }, onBatchEnd: () => { counts.batches++; } } });
  await denseModel().fit(x, y, { epochs: 2, batchSize: 32, callbacks: [{ onEpochEnd: () => { counts.arrayA++; } }, { onTrainEnd: () => { counts.arrayB++; } }] });
  const custom = new (tf().CustomCallback)({ onEpochBegin: async () => { counts.custom++; } });
  await denseModel().fit(x, y, { epochs: 2, batchSize: 32, callbacks: [custom] });
  assert.deepEqual(counts, { config: 3, arrayA: 2, arrayB: 1, custom: 2, batches: 6 });
  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.info.status === 'FINISHED' && r.data.metrics.loss !== undefined));
});

test('early stopping is recorded: stopped_epoch, and the EarlyStopping settings as params', async () => {
  freshStore();
  const { x, y } = regressionData();
  // A learning rate of 0 never improves val_loss, so patience 1 stops after the second epoch.
  const model = denseModel(0);
  const stop = tf().callbacks.earlyStopping({ monitor: 'val_loss', patience: 1 });
  const history = await model.fit(x, y, { epochs: 10, batchSize: 32, validationSplit: 0.25, callbacks: stop });
  assert.ok(history.epoch.length < 10, 'tfjs stopped early');
  const { runs } = await getClient().searchRuns();
  const run = runs[0];
  const last = history.epoch[history.epoch.length - 1];
  assert.equal(run.data.tags['tracklab.autolog.stopped_epoch'], String(last));
  assert.equal(run.data.metrics.stopped_epoch?.last, last);
  assert.equal(run.data.params['early_stopping.monitor'], 'val_loss');
  assert.equal(run.data.params['early_stopping.patience'], '1');
  assert.deepEqual((await series(getClient(), run.info.runId)).get('val_loss')?.steps, history.epoch);
});

test('batches: true logs batch/<metric> with a global batch step', async () => {
  freshStore();
  enableTfjsAutolog({ batches: true, logModels: false, modelSummary: false });
  try {
    const { x, y } = regressionData();
    const seen: number[] = [];
    await denseModel().fit(x, y, { epochs: 3, batchSize: 16, callbacks: { onBatchEnd: (_b, logs) => { seen.push(logs?.loss as number); } } });
    const { runs } = await getClient().searchRuns();
    const logged = await series(getClient(), runs[0].info.runId);
    assert.deepEqual(logged.get('batch/loss')?.steps, Array.from({ length: 12 }, (_, i) => i));
    assert.deepEqual(logged.get('batch/loss')?.values, seen);
    assert.equal(logged.has('batch/batch'), false);
    assert.equal(logged.has('batch/size'), false);
    assert.deepEqual((await getClient().listArtifacts(runs[0].info.runId)).filter((e) => !e.path.startsWith('provenance/')), []);
  } finally {
    enableTfjsAutolog();
  }
});

test('fitDataset is tracked, with the input example taken from the first batch', async () => {
  freshStore();
  const { x, y } = regressionData();
  const t = tf();
  const xs = t.data.array(x.arraySync() as number[][]);
  const ys = t.data.array(y.arraySync() as number[][]);
  const dataset = t.data.zip({ xs, ys }).batch(16);
  const model = denseModel();
  const history = await model.fitDataset(dataset, { epochs: 3 });
  const { runs } = await getClient().searchRuns();
  const run = runs[0];
  assert.equal(run.data.params.epochs, '3');
  assert.equal(run.data.params.batch_size, undefined);
  assert.deepEqual((await series(getClient(), run.info.runId)).get('loss')?.values, history.history.loss);
  const loaded = await loadModel(`runs:/${run.info.runId}/model`);
  assert.deepEqual(loaded.inputExample(), (x.slice(0, 5).arraySync() as number[][]));
});

test('a functional tf.model() with a multi-class loss is tracked the same way', async () => {
  freshStore();
  const t = tf();
  const input = t.input({ shape: [4] });
  const hidden = t.layers.dense({ units: 5, activation: 'relu' }).apply(input) as ReturnType<typeof t.input>;
  const output = t.layers.dense({ units: 3, activation: 'softmax' }).apply(hidden) as ReturnType<typeof t.input>;
  const model = t.model({ inputs: input, outputs: output });
  model.compile({ optimizer: t.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { x } = regressionData(30);
  const labels = t.oneHot(t.tensor1d(Array.from({ length: 30 }, (_, i) => i % 3), 'int32'), 3);
  const history = await model.fit(x, labels, { epochs: 2, batchSize: 10 });
  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].data.params.optimizer, 'SGD');
  assert.equal(runs[0].data.params.loss, 'categoricalCrossentropy');
  assert.equal(runs[0].data.params.metrics, 'acc');
  assert.equal(runs[0].data.params.layer_count, '3', 'the input layer counts in a functional model');
  assert.deepEqual((await series(getClient(), runs[0].info.runId)).get('acc')?.values, history.history.acc);
});

test('enabling twice patches once; disabling restores the original functions and require', async () => {
  const t = tf();
  const wrapped = t.LayersModel.prototype.fit;
  enableTfjsAutolog();
  assert.equal(t.LayersModel.prototype.fit, wrapped, 'a second enable keeps the same wrapper');
  const original = (wrapped as unknown as Record<symbol, unknown>)[Symbol.for('tracklab.autolog.tfjs.original')];
  assert.equal(typeof original, 'function');
  disableTfjsAutolog();
  assert.equal(tfjsAutologEnabled(), false);
  assert.equal(t.LayersModel.prototype.fit, original);
  for (const [proto, method] of [[t.LayersModel.prototype, 'fit'], [t.LayersModel.prototype, 'fitDataset'], [t.Sequential.prototype, 'fit'], [t.Sequential.prototype, 'fitDataset']] as const) {
    assert.deepEqual(Object.getOwnPropertySymbols(proto[method]), [], `${method} is the original again`);
  }
  assert.equal((Module as unknown as { prototype: { require: unknown } }).prototype.require, requireBefore);
  // Untracked again: a fit leaves the store empty.
  freshStore();
  const { x, y } = regressionData();
  await denseModel().fit(x, y, { epochs: 1 });
  assert.equal((await getClient().searchRuns()).runs.length, 0);
  // And on again, now finding tfjs already loaded in require.cache.
  enableTfjsAutolog();
  assert.notEqual(t.Sequential.prototype.fit, (t.Sequential.prototype.fit as unknown as Record<symbol, unknown>)[Symbol.for('tracklab.autolog.tfjs.original')]);
  await denseModel().fit(x, y, { epochs: 1 });
  assert.equal((await getClient().searchRuns()).runs.length, 1);
});
