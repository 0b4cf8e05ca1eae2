// Metric values checked against scikit-learn itself, the library MLflow's
// default evaluator calls: Debian's python3-sklearn (1.2.1 here, installed by
// .ci/run) computes every fixture in test/evaluate/sklearn-oracle.py, and
// tracklab's own code must agree to 1e-12 (relative). The fixtures are
// seeded random draws with many ties (scores on a grid of twentieths, class
// weights of small integers), zero probabilities (log_loss clipping), a
// class never predicted (zero-division precision), and regression targets
// at 0 (MAPE's eps). The hand-worked fixtures in src/evaluate/metrics.test.ts
// show the arithmetic; this file shows the formulas hold at scale.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { configure } from '../../src/config';
import { evaluateClassifier, type ClassifierEvaluation } from '../../src/evaluate/classifier-evaluation';
import { calibrationCurve } from '../../src/evaluate/calibration';
import { evaluate } from '../../src/evaluate/evaluate';
import { regressorMetrics } from '../../src/evaluate/regressor-metrics';
import * as tl from '../../src/tracking/fluent';
import { repoRoot } from '../support/jupyter';

type Json = Record<string, unknown>;

interface ClassifierCase {
  readonly kind: 'classifier';
  readonly labels: number[];
  readonly yTrue: number[];
  readonly yPred: number[];
  readonly probabilities: number[][];
  readonly positive: number;
  readonly average: 'macro' | 'weighted';
}

interface RegressorCase {
  readonly kind: 'regressor';
  readonly y: number[];
  readonly yPred: number[];
}

/** mulberry32: a small seeded generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: () => number, n: number) => Math.floor(r() * n);

function binaryCase(seed: number): ClassifierCase {
  const r = rng(seed);
  const n = 20 + int(r, 60);
  const yTrue = Array.from({ length: n }, () => int(r, 2));
  yTrue[0] = 0;
  yTrue[1] = 1;
  // scores on a grid of twentieths: ties between positives and negatives, exact 0 and 1
  const score = yTrue.map((y) => Math.min(20, Math.max(0, int(r, 14) + (y ? 6 : 0))) / 20);
  const positive = seed % 3 === 0 ? 0 : 1;
  const probabilities = score.map((s) => (positive === 1 ? [1 - s, s] : [s, 1 - s]));
  const yPred = score.map((s, i) => (s > 0.5 || (s === 0.5 && i % 2 === 0) ? positive : 1 - positive));
  return { kind: 'classifier', labels: [0, 1], yTrue, yPred, probabilities, positive, average: 'weighted' };
}

function multiclassCase(seed: number): ClassifierCase {
  const r = rng(seed);
  const k = 3 + int(r, 3);
  const n = 30 + int(r, 90);
  const yTrue = Array.from({ length: n }, (_, i) => (i < k ? i : int(r, k)));
  const probabilities = yTrue.map((y) => {
    // small integer weights: ties within a class's column, zeros; the true class a little heavier
    const w = Array.from({ length: k }, (_, c) => int(r, 4) + (c === y ? int(r, 3) : 0));
    if (w.every((v) => v === 0)) w[y] = 1;
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / sum);
  });
  // the last class is never predicted in every other case: its precision divides by zero
  const predictable = seed % 2 === 0 ? k - 1 : k;
  const yPred = probabilities.map((p) => p.slice(0, predictable).indexOf(Math.max(...p.slice(0, predictable))));
  return { kind: 'classifier', labels: Array.from({ length: k }, (_, c) => c), yTrue, yPred, probabilities, positive: 1, average: seed % 4 < 2 ? 'weighted' : 'macro' };
}

function regressorCase(seed: number): RegressorCase {
  const r = rng(seed);
  const n = 5 + int(r, 60);
  const y = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : (r() - 0.3) * 100));
  const yPred = y.map((v) => v + (r() - 0.5) * 20);
  return { kind: 'regressor', y, yPred };
}

function sklearn(cases: readonly (ClassifierCase | RegressorCase)[]): { version: string; results: Json[] } {
  const script = path.join(repoRoot(), 'test', 'evaluate', 'sklearn-oracle.py');
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const out = spawnSync(python, [script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(out.status, 0, `scikit-learn oracle failed (Debian: apt-get install python3-sklearn; .ci/run does):\n${out.stderr}`);
  const parsed = JSON.parse(out.stdout) as { sklearn: string; results: Json[] };
  return { version: parsed.sklearn, results: parsed.results };
}

function num(v: unknown): number {
  return typeof v === 'string' ? Number(v) : (v as number);
}

function same(actual: number | undefined, expected: unknown, what: string): void {
  const e = num(expected);
  assert.ok(actual !== undefined, `${what}: missing (sklearn ${e})`);
  if (Number.isNaN(e)) return assert.ok(Number.isNaN(actual), `${what}: ${actual} != NaN`);
  assert.ok(Math.abs(actual - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${what}: ${actual} != sklearn ${e}`);
}

function sameArray(actual: ArrayLike<number>, expected: unknown, what: string): void {
  const e = expected as unknown[];
  assert.equal(actual.length, e.length, `${what}: ${actual.length} points, sklearn ${e.length}`);
  for (let i = 0; i < e.length; i++) same(actual[i], e[i], `${what}[${i}]`);
}

const BINARY = Array.from({ length: 40 }, (_, i) => binaryCase(1000 + i));
const MULTICLASS = Array.from({ length: 40 }, (_, i) => multiclassCase(2000 + i));
const REGRESSOR = Array.from({ length: 30 }, (_, i) => regressorCase(3000 + i));

describe('metrics against scikit-learn (the library MLflow\'s evaluator calls)', () => {
  let reference: Json[] = [];
  let version = '';
  before(() => {
    ({ version, results: reference } = sklearn([...BINARY, ...MULTICLASS, ...REGRESSOR]));
  });

  const checkClassifier = (c: ClassifierCase, ref: Json, tag: string): ClassifierEvaluation => {
    const ours = evaluateClassifier({ labels: c.labels, yTrue: c.yTrue, yPred: c.yPred, probabilities: c.probabilities, positive: c.positive, average: c.average });
    const m = ours.metrics;
    assert.deepEqual(ours.confusion, ref.confusion, `${tag} confusion_matrix`);
    for (const key of ['accuracy_score', 'log_loss', 'precision_score', 'recall_score', 'f1_score', 'roc_auc', 'precision_recall_auc',
      'precision_score_macro', 'precision_score_weighted', 'recall_score_macro', 'recall_score_weighted', 'f1_score_macro', 'f1_score_weighted']) {
      same(m[key], ref[key], `${tag} ${key}`);
    }
    sameArray(ours.perClass.map((p) => p.precision_score), ref.precision_score_per_class, `${tag} per-class precision`);
    sameArray(ours.perClass.map((p) => p.recall_score), ref.recall_score_per_class, `${tag} per-class recall`);
    sameArray(ours.perClass.map((p) => p.f1_score), ref.f1_score_per_class, `${tag} per-class f1`);
    const curves = ref.curves as Json[];
    assert.equal(ours.roc.length, curves.length, `${tag} one curve per class (binary: the positive one)`);
    curves.forEach((curve, i) => {
      sameArray(ours.roc[i].x, curve.fpr, `${tag} roc_curve[${i}] fpr`);
      sameArray(ours.roc[i].y, curve.tpr, `${tag} roc_curve[${i}] tpr`);
      same(ours.roc[i].area, curve.roc_auc, `${tag} roc_auc_score[${i}]`);
      sameArray(ours.pr[i].x, curve.recall, `${tag} precision_recall_curve[${i}] recall`);
      sameArray(ours.pr[i].y, curve.precision, `${tag} precision_recall_curve[${i}] precision`);
      same(ours.pr[i].area, curve.ap, `${tag} average_precision_score[${i}]`);
      sameArray(ours.calibration[i].bins.map((b) => b.fractionPositive), curve.calibration_true, `${tag} calibration_curve[${i}] prob_true`);
      sameArray(ours.calibration[i].bins.map((b) => b.meanPredicted), curve.calibration_pred, `${tag} calibration_curve[${i}] prob_pred`);
    });
    return ours;
  };

  it('binary: 40 fixtures with tied scores, exact 0/1 probabilities, either class positive', () => {
    assert.match(version, /^\d+\.\d+/);
    BINARY.forEach((c, i) => {
      const ours = checkClassifier(c, reference[i], `binary #${i} (positive ${c.positive}, n ${c.yTrue.length})`);
      for (const key of ['true_negatives', 'false_positives', 'false_negatives', 'true_positives']) same(ours.metrics[key], reference[i][key], `binary #${i} ${key}`);
    });
  });

  it('multiclass: 40 fixtures of 3-5 classes, one-vs-rest AUC and AP, macro and weighted, a class never predicted', () => {
    MULTICLASS.forEach((c, i) => checkClassifier(c, reference[BINARY.length + i], `multiclass #${i} (k ${c.labels.length}, ${c.average})`));
  });

  it('regressors: 30 fixtures with targets at 0 (MAPE divides by eps)', () => {
    REGRESSOR.forEach((c, i) => {
      const ours = regressorMetrics(c.y, c.yPred) as unknown as Record<string, number>;
      const ref = reference[BINARY.length + MULTICLASS.length + i];
      for (const key of Object.keys(ref)) same(ours[key], ref[key], `regressor #${i} ${key}`);
    });
  });

  it('calibration bins on the exact inner edges (0.1 … 0.9) agree with numpy\'s searchsorted', () => {
    const edges = Array.from({ length: 11 }, (_, i) => i / 10);
    const scores = [...edges, ...edges.map((e) => e + 1e-9).filter((e) => e < 1)];
    const isPos = scores.map((_, i) => i % 3 === 0);
    const ref = sklearn([{ kind: 'classifier', labels: [0, 1], yTrue: isPos.map(Number), yPred: isPos.map(Number), probabilities: scores.map((s) => [1 - s, s]), positive: 1, average: 'weighted' }]).results[0];
    const curve = (ref.curves as Json[])[0];
    const bins = calibrationCurve(isPos, scores);
    sameArray(bins.map((b) => b.meanPredicted), curve.calibration_pred, 'prob_pred');
    sameArray(bins.map((b) => b.fractionPositive), curve.calibration_true, 'prob_true');
  });

  it('end to end: evaluate() on rows logs what sklearn computes for the same predictions', async () => {
    configure({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-oracle-')), experiment: 'oracle' });
    const c = MULTICLASS[1];
    const names = ['cat', 'dog', 'owl', 'yak', 'emu'].slice(0, c.labels.length);
    const rows = c.yTrue.map((y, i) => ({ i, label: names[y] }));
    const run = tl.startRun();
    const result = await evaluate({ predictions: c.yPred.map((p) => names[p]), probabilities: c.probabilities }, rows,
      { modelType: 'classifier', targets: 'label', labels: names, average: c.average, display: false });
    await run.end();
    const ref = reference[BINARY.length + 1];
    for (const key of ['accuracy_score', 'log_loss', 'precision_score', 'recall_score', 'f1_score', 'roc_auc', 'precision_recall_auc']) {
      same(result.metrics[key], ref[key], `evaluate() ${key}`);
    }
  });
});
