/**
 * Autolog for model outputs: with TensorFlow.js autolog on, model.evaluate()
 * results become eval_* metrics of the run the model was fit in (even after
 * that run ended), else of the active run; logPredictions() runs evaluate().
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { getClient } from '../../src/config';
import { disableTfjsAutolog, enableTfjsAutolog } from '../../src/autolog';
import { logPredictions } from '../../src/evaluate/log-predictions';
import * as tl from '../../src/tracking/fluent';
import { denseModel, freshStore, regressionData, tf } from './tfjs-helpers';

after(() => disableTfjsAutolog());

test('model.evaluate() after an autologged fit logs eval_loss and eval metrics on the fit run, step = evaluate count', async () => {
  freshStore();
  enableTfjsAutolog({ logModels: false });
  const { x, y } = regressionData();
  const model = denseModel(0.05, ['mae']);
  await model.fit(x, y, { epochs: 2, batchSize: 16 });
  const [loss, mae] = model.evaluate(x, y) as import('@tensorflow/tfjs').Scalar[];
  model.evaluate(x, y);
  await getClient().flush();
  const { runs } = await getClient().searchRuns();
  assert.equal(runs.length, 1, 'no extra run');
  const m = runs[0].data.metrics;
  assert.equal(m.eval_loss?.count, 2);
  assert.equal(m.eval_loss?.lastStep, 1);
  const history = await getClient().metricHistory(runs[0].info.runId, ['eval_loss', 'eval_mae']);
  const values = history.getChild('value')!.toArray() as Float64Array;
  const keys = history.getChild('key')!.toArray() as string[];
  assert.equal(values[keys.indexOf('eval_loss')], loss.dataSync()[0]);
  assert.equal(values[keys.indexOf('eval_mae')], mae.dataSync()[0]);
});

test('a model autolog never fit logs its evaluation into the active run; without a run nothing is logged', async () => {
  freshStore();
  enableTfjsAutolog({ logModels: false });
  disableTfjsAutolog();
  const { x, y } = regressionData();
  const model = denseModel(0.05, []);
  await model.fit(x, y, { epochs: 1 }); // untracked: autolog is off
  enableTfjsAutolog({ logModels: false });
  model.evaluate(x, y);
  assert.equal((await getClient().searchRuns()).runs.length, 0);
  const run = tl.startRun();
  model.evaluate(x, y);
  await run.end();
  assert.equal((await getClient().getRun(run.id)).data.metrics.eval_loss?.count, 1);
});

test('disable puts LayersModel.evaluate back', () => {
  disableTfjsAutolog();
  const before = tf().LayersModel.prototype.evaluate;
  enableTfjsAutolog();
  assert.notEqual(tf().LayersModel.prototype.evaluate, before);
  disableTfjsAutolog();
  assert.equal(tf().LayersModel.prototype.evaluate, before);
});

test('logPredictions(model, data, targets) runs evaluate(): a tfjs classifier on tensors, model type inferred', async () => {
  freshStore();
  const t = tf();
  const model = t.sequential({ layers: [t.layers.dense({ units: 2, inputShape: [1], activation: 'softmax', kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
  const run = tl.startRun();
  const result = await logPredictions(model, t.tensor2d([[1], [2], [3], [4]]), [0, 1, 1, 0], { display: false });
  await run.end();
  assert.equal(result.summary.modelType, 'classifier');
  assert.equal(result.metrics.roc_auc, 0.5, 'equal probabilities everywhere: AUC 0.5');
  assert.equal((await getClient().getRun(run.id)).data.metrics.accuracy_score?.last, 0.5);
});
