// evaluate() end to end on a real SQLite store in a temp dir: models of each
// kind (precomputed output, an ml.js random forest, a tfjs network, a plain
// function, a runs:/ URI), the metrics it logs, the artifacts it writes (the
// predictions table read back by polars, an independent Arrow reader), the
// plots' bundle contract, and clear errors that lose nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, beforeEach, describe, it } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { configure, getClient } from '../../src/config';
import { readIpcWithPolars } from '../support/polars';
import { isTracklabError } from '../../src/errors';
import { evaluate } from '../../src/evaluate/evaluate';
import { logPredictions } from '../../src/evaluate/log-predictions';
import { isEvaluationSummary } from '../../src/evaluate/evaluation-summary';
import { runEvaluation } from '../../src/evaluate/run-evaluation';
import { evaluationBundles } from '../../src/views/evaluation-view';
import { logModel } from '../../src/models';
import { loadModel } from '../../src/models/load-model';
import { getRegistry, installRegistryResolver } from '../../src/registry';
import * as tl from '../../src/tracking/fluent';
import { compileVegaLite } from '../../src/charts/render-svg';
import type { VegaLiteSpec } from '../../src/charts/series';


const close = (a: number | undefined, b: number, what: string) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

// The binary fixture of src/evaluate/metrics.test.ts, as rows.
const rows = [
  { x: 0.1, label: 0 }, { x: 0.4, label: 0 }, { x: 0.35, label: 1 }, { x: 0.8, label: 1 }, { x: 0.4, label: 1 }, { x: 0.7, label: 0 },
];
const probabilityOfOne = rows.map((r) => r.x);

async function artifactText(runId: string, p: string): Promise<string> {
  return (await getClient().openArtifact(runId, p)).toString('utf8');
}

beforeEach(async () => {
  while (tl.activeRun()) await tl.endRun();
  configure({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-eval-')), experiment: 'evaluate' });
});

describe('evaluate() classifiers', () => {
  it('precomputed probabilities: hand-checked metrics logged under MLflow names, artifacts written', async () => {
    const run = tl.startRun();
    const result = await evaluate({ probabilities: probabilityOfOne }, rows, { modelType: 'classifier', targets: 'label', display: false });
    await run.end();
    const stored = await getClient().getRun(run.id);
    const m = Object.fromEntries(Object.entries(stored.data.metrics).map(([k, v]) => [k, v.last]));
    close(m.accuracy_score, 0.5, 'accuracy_score');
    close(m.roc_auc, 5.5 / 9, 'roc_auc (ties count half)');
    close(m.precision_recall_auc, 0.7, 'precision_recall_auc (average precision)');
    close(m.f1_score, 0.4, 'f1_score of the positive class');
    assert.deepEqual([m.true_negatives, m.false_positives, m.false_negatives, m.true_positives], [2, 1, 2, 1]);
    assert.equal(stored.data.metrics.roc_auc?.lastStep, 0);
    assert.deepEqual(result.metrics.roc_auc, m.roc_auc);

    const files = (await getClient().listArtifacts(run.id, 'evaluation')).map((a) => a.path);
    for (const f of ['evaluation.json', 'predictions.arrow', 'predictions.csv', 'per_class_metrics.csv',
      'plots/roc_curve_plot.vl.json', 'plots/roc_curve_plot.svg', 'plots/precision_recall_curve_plot.svg',
      'plots/confusion_matrix.vl.json', 'plots/confusion_matrix.svg', 'plots/calibration_curve_plot.svg']) {
      assert.ok(files.includes(`evaluation/${f}`), `${f} in ${files.join(', ')}`);
    }
    const summary: unknown = JSON.parse(await artifactText(run.id, 'evaluation/evaluation.json'));
    assert.ok(isEvaluationSummary(summary));
    assert.deepEqual(summary.confusion, [[2, 1], [2, 1]]);
    assert.deepEqual(summary.labels, [0, 1]);
    assert.equal(summary.positiveClass, 1);
    assert.match(await artifactText(run.id, 'evaluation/predictions.csv'), /^x,target,prediction,probability_0,probability_1\n0\.1,0,0,0\.9,0\.1\n/);
    assert.match(await artifactText(run.id, 'evaluation/per_class_metrics.csv'), /^positive_class,true_negatives,false_positives,false_negatives,true_positives,example_count,accuracy_score,recall_score,precision_score,f1_score\n/);
  });

  it('positiveClass picks the class the binary metrics are about; one that is not a label is refused, naming the labels', async () => {
    // The same rows seen from class 0 (sklearn's pos_label=0): predictions [0,0,0,1,0,1] against labels [0,0,1,1,1,0].
    // Both columns are given: a single number per row would be the probability of the positive class, here 0.
    const probabilities = probabilityOfOne.map((p) => [1 - p, p]);
    const run = tl.startRun();
    await evaluate({ probabilities }, rows, { modelType: 'classifier', targets: 'label', positiveClass: 0, display: false });
    await assert.rejects(
      evaluate({ probabilities }, rows, { modelType: 'classifier', targets: 'label', positiveClass: 2, display: false }),
      (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && e.message === 'evaluate(): positiveClass "2" is not one of the labels "0", "1".',
    );
    await run.end();
    const stored = await getClient().getRun(run.id);
    const m = Object.fromEntries(Object.entries(stored.data.metrics).map(([k, v]) => [k, v.last]));
    assert.deepEqual([m.true_negatives, m.false_positives, m.false_negatives, m.true_positives], [1, 2, 1, 2]);
    close(m.precision_score, 2 / 4, 'precision tp/(tp+fp)');
    close(m.recall_score, 2 / 3, 'recall tp/(tp+fn)');
    close(m.f1_score, 4 / 7, 'f1 2tp/(2tp+fp+fn)');
    close(m.roc_auc, 5.5 / 9, 'roc_auc: the same ranking from the other side');
    // Scores 1-p: thresholds 0.9, 0.65, 0.6, 0.3, 0.2 give (R, P) (1/3, 1), (1/3, 1/2), (2/3, 1/2), (1, 3/5), (1, 1/2).
    close(m.precision_recall_auc, 1 / 3 + (1 / 3) * (1 / 2) + (1 / 3) * (3 / 5), 'average precision of class 0');
    const summary: unknown = JSON.parse(await artifactText(run.id, 'evaluation/evaluation.json'));
    assert.ok(isEvaluationSummary(summary));
    assert.equal(summary.positiveClass, 0);
  });

  it('the predictions table round-trips through Arrow: polars reads inputs, target, prediction, probabilities', async () => {
    const run = tl.startRun();
    await evaluate({ probabilities: probabilityOfOne }, rows, { modelType: 'classifier', targets: 'label', display: false });
    await run.end();
    const bytes = await getClient().openArtifact(run.id, 'evaluation/predictions.arrow');
    const df = readIpcWithPolars(bytes);
    assert.deepEqual(df.columns, ['x', 'target', 'prediction', 'probability_0', 'probability_1']);
    assert.equal(df.height, 6);
    assert.deepEqual(df.column('x'), [0.1, 0.4, 0.35, 0.8, 0.4, 0.7]);
    assert.deepEqual(df.column('prediction'), [0, 0, 0, 1, 0, 1]);
    assert.deepEqual(df.column('probability_1'), probabilityOfOne);
  });

  it('each plot is a Vega-Lite v5 spec that compiles without warnings, with its SVG beside it', async () => {
    const run = tl.startRun();
    const result = await evaluate({ probabilities: probabilityOfOne }, rows, { modelType: 'classifier', targets: 'label', display: false });
    await run.end();
    for (const [name, files] of Object.entries(result.summary.artifacts.plots)) {
      const spec = JSON.parse(await artifactText(run.id, files.spec)) as VegaLiteSpec;
      assert.match(String(spec.$schema), /vega-lite\/v5/, name);
      await compileVegaLite(spec);
      assert.match(await artifactText(run.id, files.svg), /^<svg[\s>]/, name);
    }
    // Calibration bins are points sized by their row count (fixture: bins of 1, 3 and 1 rows, and 1 at 0.8).
    const calibration = JSON.parse(await artifactText(run.id, result.summary.artifacts.plots.calibration_curve_plot.spec)) as { layer: { layer?: { encoding?: { size?: { field: string } } }[]; data?: { values: { count: number }[] } }[] };
    const binned = calibration.layer[1];
    assert.equal(binned.layer?.[1].encoding?.size?.field, 'count');
    assert.deepEqual(binned.data?.values.map((v) => v.count), [1, 3, 1, 1]);
  });

  it('the PR curve\'s no-skill line is level at each class\'s share of the rows; ROC keeps its diagonal', async () => {
    type Row = { kind: string; series?: string; x?: number; y: number };
    type Spec = { layer: { mark: { type: string } }[]; data: { values: Row[] } };
    // As logged (the .vl.json): rendering the SVG tagged the spec's data objects with Vega's ids.
    const specOf = (plots: readonly { name: string; spec: unknown }[], name: string) => JSON.parse(JSON.stringify(plots.find((p) => p.name === name)?.spec)) as Spec;
    const rows = (spec: Spec, kind: string) => spec.data.values.filter((v) => v.kind === kind).map(({ kind: _, ...v }) => v);
    // Binary, 2 positives in 8 rows.
    const binary = [0, 1, 0, 0, 1, 0, 0, 0].map((label, i) => ({ x: (i * 0.37) % 1, label }));
    const two = await runEvaluation({ probabilities: binary.map((r) => r.x) }, binary, { modelType: 'classifier', targets: 'label' }, 'r');
    const pr = specOf(two.plots, 'precision_recall_curve_plot');
    assert.equal(pr.layer[0].mark.type, 'rule');
    assert.deepEqual(rows(pr, 'baseline').map((v) => v.y), [2 / 8]);
    assert.deepEqual(rows(specOf(two.plots, 'roc_curve_plot'), 'diagonal'), [{ panel: '', x: 0, y: 0 }, { panel: '', x: 1, y: 1 }]);
    // Three classes of 2, 3 and 5 rows: one level per class.
    const labels = [0, 1, 2, 2, 1, 2, 0, 2, 1, 2];
    const probabilities = labels.map((_, i) => [0.2 + (i % 3) * 0.1, 0.3, 0.5 - (i % 3) * 0.1]);
    const three = await runEvaluation({ probabilities }, { y: labels }, { modelType: 'classifier', targets: 'y' }, 'r');
    assert.deepEqual(rows(specOf(three.plots, 'precision_recall_curve_plot'), 'baseline').map((v) => [v.series?.split(' (')[0], v.y]), [['class 0', 0.2], ['class 1', 0.3], ['class 2', 0.5]]);
  });

  it('an ml.js random forest (predict + per-label predictProbability) on a multiclass set, weighted OvR AUC', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RandomForestClassifier } = require('ml-random-forest') as { RandomForestClassifier: new (o: object) => { train(x: number[][], y: number[]): void } };
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 90; i++) {
      const c = i % 3;
      x.push([c + Math.sin(i) * 0.6, c * 0.5 + Math.cos(i * 1.7) * 0.6]);
      y.push(c);
    }
    const forest = new RandomForestClassifier({ nEstimators: 10, seed: 3, noOOB: true });
    forest.train(x, y);
    const run = tl.startRun();
    const result = await evaluate(forest, x, { modelType: 'classifier', targets: y, display: false });
    await run.end();
    assert.deepEqual(result.summary.labels, [0, 1, 2]);
    assert.ok(result.metrics.roc_auc > 0.8 && result.metrics.roc_auc <= 1, String(result.metrics.roc_auc));
    assert.equal(result.summary.perClass?.length, 3);
    assert.ok(result.metrics.log_loss > 0);
    assert.equal(result.summary.roc?.length, 3, 'one ROC curve per class');
  });

  it('a tfjs model on a tensor with one-hot targets, logged into a given run', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs') as typeof TF;
    tf.env().set('IS_TEST', true);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax', kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    const xs = tf.tensor2d([[1, 0], [0, 1], [2, 0], [0, 2]]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 2], 'int32'), 3);
    const run = tl.startRun();
    const other = tl.startRun(); // the innermost run is not the one asked for
    const result = await evaluate(model, xs, { modelType: 'classifier', targets: ys, labels: ['a', 'b', 'c'], run, display: false });
    await other.end();
    await run.end();
    // equal weights: every row gets [1/3, 1/3, 1/3], so the argmax is class a for all
    close(result.metrics.accuracy_score, 1 / 4, 'accuracy');
    close(result.metrics.log_loss, Math.log(3), 'log loss of uniform probabilities');
    assert.ok((await getClient().getRun(run.id)).data.metrics.accuracy_score);
    assert.equal((await getClient().getRun(other.id)).data.metrics.accuracy_score, undefined);
    // The tensor rows are kept as x0, x1 in the predictions table.
    assert.match(await artifactText(run.id, 'evaluation/predictions.csv'), /^x0,x1,target,prediction,probability_a,probability_b,probability_c\n1,0,a,a,/);
    xs.dispose();
    ys.dispose();
  });

  it('a runs:/ URI of a logged ml.js model, into a finished run by id, with a metric prefix', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RandomForestClassifier } = require('ml-random-forest') as { RandomForestClassifier: new (o: object) => { train(x: number[][], y: number[]): void; predict(x: number[][]): number[] } };
    const forest = new RandomForestClassifier({ nEstimators: 5, seed: 1, noOOB: true });
    forest.train(rows.map((r) => [r.x]), rows.map((r) => r.label));
    const run = tl.startRun();
    const { modelUri } = await logModel(run, forest, { name: 'model', inputExample: [{ x: 0.1 }] });
    await run.end();
    const result = await evaluate(modelUri, rows, { modelType: 'classifier', targets: 'label', run: run.id, metricPrefix: 'val_', display: false });
    const direct = forest.predict(rows.map((r) => [r.x]));
    const right = direct.filter((p, i) => p === rows[i].label).length;
    close(result.metrics.val_accuracy_score, right / rows.length, 'accuracy of the reloaded forest = of the forest itself');
    assert.equal(result.metrics.val_roc_auc, undefined, 'a loaded model gives labels: no AUC');
    assert.match(result.summary.skipped.val_roc_auc, /no class probabilities/);
    const stored = await getClient().getRun(run.id);
    assert.equal(stored.info.status, 'FINISHED');
    close(stored.data.metrics.val_accuracy_score?.last, right / rows.length, 'stored');
  });

  it('a models:/name@alias URI on an apache-arrow Table, and the loaded model on an object of columns, give the same metrics', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RandomForestClassifier } = require('ml-random-forest') as { RandomForestClassifier: new (o: object) => { train(x: number[][], y: number[]): void; predict(x: number[][]): number[] } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const arrow = require('apache-arrow') as typeof import('apache-arrow');
    const forest = new RandomForestClassifier({ nEstimators: 5, seed: 2, noOOB: true });
    forest.train(rows.map((r) => [r.x]), rows.map((r) => r.label));
    const trained = tl.startRun();
    const { modelUri } = await logModel(trained, forest, { name: 'model', inputExample: [{ x: 0.1 }] });
    await trained.end();
    installRegistryResolver();
    const version = await getRegistry().registerModel(modelUri, 'flags');
    await getRegistry().setRegisteredModelAlias('flags', 'champion', version.version);
    const table = arrow.tableFromArrays({ x: Float64Array.from(rows.map((r) => r.x)), label: Float64Array.from(rows.map((r) => r.label)) });
    const byUri = await evaluate('models:/flags@champion', table, { modelType: 'classifier', targets: 'label', display: false });
    const columns = { x: rows.map((r) => r.x), label: rows.map((r) => r.label) };
    const byModel = await evaluate(await loadModel(modelUri), columns, { modelType: 'classifier', targets: 'label', display: false });
    const direct = forest.predict(rows.map((r) => [r.x]));
    close(byUri.metrics.accuracy_score, direct.filter((p, i) => p === rows[i].label).length / rows.length, 'accuracy of the registered forest = of the forest itself');
    assert.deepEqual(byModel.metrics, byUri.metrics);
    assert.match(await artifactText(byUri.runId, 'evaluation/predictions.csv'), /^x,target,prediction\n0\.1,0,/);
  });

  it('with no active run, starts one for the evaluation and ends it FINISHED (as mlflow.evaluate)', async () => {
    const result = await evaluate((x: number[][]) => x.map((r) => r[0] > 0.5), rows.map((r) => ({ x: r.x, ok: r.label === 1 })), { modelType: 'classifier', targets: 'ok', display: false });
    const stored = await getClient().getRun(result.runId);
    assert.equal(stored.info.status, 'FINISHED');
    assert.deepEqual(result.summary.labels, [false, true]);
  });
});

describe('logPredictions(model, data, targets)', () => {
  it('infers the model type from the targets as MLflow does: fractional numbers a regressor, labels a classifier', async () => {
    const run = tl.startRun();
    const houses = [{ rooms: 2, price: 1.5 }, { rooms: 3, price: 2.25 }, { rooms: 4, price: 2.5 }, { rooms: 5, price: 3.75 }];
    const priced = await logPredictions((x: number[][]) => x.map((r) => r[0] * 0.75), houses, 'price', { display: false, metricPrefix: 'price_' });
    assert.equal(priced.summary.modelType, 'regressor');
    close(priced.metrics.price_mean_absolute_error, (0 + 0 + 0.5 + 0) / 4, 'MAE of 0.75 × rooms');
    const labelled = await logPredictions((x: number[][]) => x.map((r) => (r[0] > 0.5 ? 1 : 0)), { x: rows.map((r) => r.x) }, rows.map((r) => r.label), { display: false, artifactPath: 'eval-labels' });
    assert.equal(labelled.summary.modelType, 'classifier');
    close(labelled.metrics.accuracy_score, 3 / 6, 'x > 0.5 on the binary fixture');
    await run.end();
    const stored = (await getClient().getRun(run.id)).data.metrics;
    assert.equal(stored.price_r2_score?.count, 1);
    assert.equal(stored.accuracy_score?.last, 0.5);
  });
});

describe('evaluate() at size', () => {
  it('10 classes × 5,000 rows: every plot bundle stays under 300 KB, areas computed on all rows', async () => {
    let seed = 1;
    const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const targets: number[] = [];
    const probabilities: number[][] = [];
    for (let i = 0; i < 5000; i++) {
      const t = i % 10;
      targets.push(t);
      const row = Array.from({ length: 10 }, (_, c) => rand() + (c === t ? 0.8 : 0));
      const sum = row.reduce((a, b) => a + b, 0);
      probabilities.push(row.map((v) => v / sum));
    }
    const run = tl.startRun();
    const result = await evaluate({ probabilities }, { id: targets.map((_, i) => i), y: targets }, { modelType: 'classifier', targets: 'y', display: false });
    await run.end();
    assert.ok(result.metrics.roc_auc > 0.8 && result.metrics.roc_auc < 1);
    const outcome = await runEvaluation({ probabilities }, { y: targets }, { modelType: 'classifier', targets: 'y' }, run.id);
    for (const bundle of evaluationBundles(outcome.summary, outcome.plots, 'run x').slice(1)) {
      const bytes = Buffer.byteLength(JSON.stringify(bundle.data));
      assert.ok(bytes <= 300 * 1024, `${String(bundle.data['text/plain'])}: ${bytes} bytes`);
    }
  });
});

describe('evaluate() errors are clear TracklabErrors and lose nothing', () => {
  async function rejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(fn, (err: unknown) => {
      assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
      assert.match((err as Error).message, pattern);
      return true;
    });
  }

  it('empty input, NaN predictions and targets, one class only, unknown labels, missing targets', async () => {
    const run = tl.startRun();
    run.log({ kept: 1 }, 0);
    const opts = { modelType: 'classifier' as const, targets: 'label', display: false };
    await rejects(() => evaluate({ predictions: [] }, [], opts), /no rows to evaluate/);
    await rejects(() => evaluate({ predictions: [] }, { x: [], label: [] }, opts), /no rows to evaluate/);
    await rejects(() => evaluate({ predictions: [0, NaN, 1, 1, 0, 1] }, rows, opts), /prediction of row 1 is number NaN/);
    await rejects(() => evaluate({ probabilities: [0.1, 0.2, NaN, 0.4, 0.5, 0.6] }, rows, opts), /row 2 is number NaN/);
    await rejects(() => evaluate({ predictions: [0, 1] }, [{ x: 1, label: NaN }, { x: 2, label: 1 }], opts), /target of row 0 is number NaN/);
    await rejects(() => evaluate({ predictions: [1, 1] }, [{ x: 1, label: 1 }, { x: 2, label: 1 }], opts), /at least two classes/);
    await rejects(() => evaluate({ predictions: [1, 2] }, [{ x: 1, label: 1 }, { x: 2, label: 0 }], { ...opts, labels: [0, 1] }), /prediction "2" of row 1 is not one of the labels/);
    await rejects(() => evaluate({ predictions: [1] }, [{ x: 1, label: 1 }], { modelType: 'classifier', display: false }), /needs the true values/);
    await rejects(() => evaluate({ predictions: [1, 0, 1] }, rows, opts), /the predictions has 3 entries but the data has 6 rows/);
    await rejects(() => evaluate({ predictions: [1] }, [{ x: 1, y: 2 }], { modelType: 'regressor', targets: 'y', display: false }).then(() =>
      evaluate({ predictions: [NaN] }, [{ x: 1, y: 2 }], { modelType: 'regressor', targets: 'y', display: false })), /prediction of row 0 is number NaN/);
    await rejects(() => evaluate({ predictions: [1] }, [{ x: 1 }], { modelType: 'ranker' as never, targets: 'x', display: false }), /modelType: 'classifier'/);
    await run.end();
    const stored = await getClient().getRun(run.id);
    assert.equal(stored.info.status, 'FINISHED');
    assert.equal(stored.data.metrics.kept?.last, 1);
  });
});

describe('evaluate() regressors', () => {
  before(() => undefined);
  it('sklearn documentation example: MAE, MSE, RMSE, R², MAPE, max error; residual plots', async () => {
    const run = tl.startRun();
    const data = { x: [1, 2, 3, 4], y: [3, -0.5, 2, 7] };
    const result = await evaluate({ predictions: [2.5, 0.0, 2, 8] }, data, { modelType: 'regressor', targets: 'y', display: false });
    await run.end();
    const m = result.metrics;
    close(m.mean_absolute_error, 0.5, 'MAE');
    close(m.mean_squared_error, 0.375, 'MSE');
    close(m.root_mean_squared_error, Math.sqrt(0.375), 'RMSE');
    close(m.r2_score, 1 - 1.5 / 29.1875, 'R²');
    close(m.max_error, 1, 'max_error');
    close(m.mean_absolute_percentage_error, (0.5 / 3 + 1 + 0 + 1 / 7) / 4, 'MAPE');
    assert.deepEqual(Object.keys(result.summary.artifacts.plots), ['residuals_plot', 'predicted_vs_actual_plot']);
    assert.match(await artifactText(run.id, 'evaluation/predictions.csv'), /^x,target,prediction\n1,3,2\.5\n/);
  });
});
