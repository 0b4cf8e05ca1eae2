/**
 * The evaluation itself, with no run and no display: run the model on the
 * data, compute the metrics, build the predictions table, the plots (spec
 * and server-rendered SVG) and evaluation.json. evaluate.ts logs the files
 * this returns and shows them.
 */
import { TracklabError } from '../errors';
import { curveSpec, thinCurve } from '../charts/curve-chart';
import { confusionMatrixSpec } from '../charts/confusion-matrix-chart';
import { calibrationSpec } from '../charts/calibration-chart';
import { predictedVsActualSpec, residualsSpec } from '../charts/regression-charts';
import { renderSvg } from '../charts/render-svg';
import type { VegaLiteSpec } from '../charts/series';
import { columnsToTable, tableToCsv, tableToIpcFile } from '../media/arrow-table';
import type { Average } from './classifier-metrics';
import { evaluateClassifier, type ClassifierEvaluation, type CurveSeries, type Label } from './classifier-evaluation';
import { resolveClassifier, type ClassifierOptions } from './classifier-input';
import { evaluationFrame, type EvaluationFrame, type Targets } from './evaluation-data';
import { EVALUATION_FILE, EVALUATION_FORMAT, type EvaluationSummary, type ModelType, type PlotFiles } from './evaluation-summary';
import { evalMsg } from './messages';
import { isPrecomputed, runSource } from './model-runner';
import { regressorMetrics } from './regressor-metrics';

export interface EvaluationSettings extends ClassifierOptions {
  readonly modelType: ModelType;
  readonly targets?: Targets;
  readonly average?: Average;
  readonly metricPrefix?: string;
  /** Folder of the artifacts on the run; default "evaluation". */
  readonly artifactPath?: string;
  readonly calibrationBins?: number;
}

export interface Plot {
  readonly name: string;
  readonly title: string;
  readonly spec: VegaLiteSpec;
  readonly svg: string;
}

export interface EvaluationOutcome {
  readonly summary: EvaluationSummary;
  readonly plots: readonly Plot[];
  /** Artifact files to log, by path. */
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

export async function runEvaluation(source: unknown, data: unknown, settings: EvaluationSettings, runId: string): Promise<EvaluationOutcome> {
  if (settings.modelType !== 'classifier' && settings.modelType !== 'regressor') throw invalid(evalMsg.modelTypeBad(settings.modelType));
  const average = settings.average ?? 'weighted';
  if (average !== 'weighted' && average !== 'macro') throw invalid(evalMsg.averageBad(average));
  const frame = evaluationFrame(data, settings.targets);
  const base = (settings.artifactPath ?? 'evaluation').replace(/\/+$/, '');
  const prefix = settings.metricPrefix ?? '';
  const paths = { predictionsArrow: `${base}/predictions.arrow`, predictionsCsv: `${base}/predictions.csv` };
  const prefixed = (m: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}${k}`, v]));

  if (settings.modelType === 'regressor') {
    const output = await runSource(source, frame, undefined);
    const predicted = regressionValues('prediction', flatten(output.predictions ?? output.probabilities ?? []), frame.n);
    const actual = regressionValues('target', frame.targets, frame.n);
    const metrics = regressorMetrics(actual, predicted);
    const plots = await renderPlots([
      ['residuals_plot', 'Residuals against predicted', residualsSpec(actual, predicted)],
      ['predicted_vs_actual_plot', 'Predicted against actual', predictedVsActualSpec(actual, predicted)],
    ]);
    const table = predictionsTable(frame, actual, predicted, null, []);
    const summary: EvaluationSummary = {
      format: EVALUATION_FORMAT, modelType: 'regressor', runId, createdAt: Date.now(), exampleCount: frame.n,
      metrics: prefixed(metrics as unknown as Record<string, number>), skipped: {}, metricPrefix: prefix,
      artifacts: { ...paths, plots: plotPaths(base, plots) },
    };
    return { summary, plots, files: [...tableFiles(paths, table), ...plotFiles(base, plots), jsonFile(`${base}/${EVALUATION_FILE}`, summary)] };
  }

  const provisional = settings.labels ?? (isPrecomputed(source) ? undefined : provisionalLabels(frame));
  const output = await runSource(source, frame, provisional);
  const resolved = resolveClassifier(frame.targets, frame.targetsAreIndices, output, settings);
  const result = evaluateClassifier({ ...resolved, average, calibrationBins: settings.calibrationBins });
  const plots = await renderPlots(classifierPlots(result, resolved.labels));
  const labelOf = (i: number) => resolved.labels[i];
  const table = predictionsTable(frame, resolved.yTrue.map(labelOf), resolved.yPred.map(labelOf), resolved.probabilities, resolved.labels);
  const perClassCsv = `${base}/per_class_metrics.csv`;
  const summary: EvaluationSummary = {
    format: EVALUATION_FORMAT, modelType: 'classifier', runId, createdAt: Date.now(), exampleCount: frame.n,
    metrics: prefixed(result.metrics), skipped: prefixedSkips(result.skipped, prefix), metricPrefix: prefix,
    labels: resolved.labels, positiveClass: resolved.labels.length === 2 ? resolved.labels[resolved.positive] : undefined, average,
    perClass: result.perClass, confusion: result.confusion,
    roc: thinned(result.roc), pr: thinned(result.pr), calibration: result.calibration,
    artifacts: { ...paths, perClassCsv, plots: plotPaths(base, plots) },
  };
  const perClass = columnsToTable(new Map(Object.keys(result.perClass[0]).map((k) => [k, result.perClass.map((r) => (r as unknown as Record<string, unknown>)[k])])));
  return {
    summary, plots,
    files: [...tableFiles(paths, table), { path: perClassCsv, bytes: Buffer.from(tableToCsv(perClass)) }, ...plotFiles(base, plots), jsonFile(`${base}/${EVALUATION_FILE}`, summary)],
  };
}

/** The labels ml.js's per-label predictProbability is asked about before the output is known: the sorted targets. */
function provisionalLabels(frame: EvaluationFrame): Label[] | undefined {
  if (frame.targetsAreIndices) return undefined;
  const seen = new Map<string, Label>();
  for (const t of frame.targets) if (typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean') seen.set(String(t), t);
  const labels = [...seen.values()];
  return labels.every((l) => typeof l === 'number') ? labels.sort((a, b) => (a as number) - (b as number)) : labels.sort((a, b) => String(a).localeCompare(String(b)));
}

function prefixedSkips(skipped: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(skipped).map(([k, v]) => [`${prefix}${k}`, v]));
}

function flatten(values: readonly unknown[]): unknown[] {
  return values.map((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v));
}

function regressionValues(what: string, values: readonly unknown[], n: number): number[] {
  if (values.length !== n) throw invalid(evalMsg.lengthMismatch(what === 'target' ? 'targets' : 'the predictions', values.length, n));
  return values.map((v, i) => {
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x !== 'number') throw invalid(evalMsg.notNumber(what, i, v));
    if (!Number.isFinite(x)) throw invalid(evalMsg.nanValue(what, i, v));
    return x;
  });
}

function thinned(curves: readonly CurveSeries[]): CurveSeries[] {
  return curves.map((c) => ({ ...c, ...thinCurve(c.x, c.y) }));
}

function areaName(kind: 'AUC' | 'AP', area: number): string {
  return Number.isFinite(area) ? `${kind} ${area.toFixed(3)}` : `${kind} undefined`;
}

function classifierPlots(result: ClassifierEvaluation, labels: readonly Label[]): [string, string, VegaLiteSpec][] {
  const binary = labels.length === 2;
  const lineName = (c: CurveSeries, kind: 'AUC' | 'AP') => (binary ? `positive class ${String(c.label)} (${areaName(kind, c.area)})` : `class ${String(c.label)} (${areaName(kind, c.area)})`);
  const plots: [string, string, VegaLiteSpec][] = [];
  const drawable = (c: CurveSeries) => c.x.every(Number.isFinite) && c.y.every(Number.isFinite);
  const roc = result.roc.filter(drawable);
  const pr = result.pr.filter(drawable);
  // About 2,000 points per chart whatever the class count, so a bundle stays well under 300 KB.
  const maxPointsPerLine = Math.max(50, Math.min(300, Math.floor(2000 / Math.max(roc.length, 1))));
  if (roc.length > 0) plots.push(['roc_curve_plot', 'ROC curve', curveSpec('roc', roc.map((c) => ({ name: lineName(c, 'AUC'), x: c.x, y: c.y })), { maxPointsPerLine })]);
  // A PR curve's no-skill precision is its class's share of the rows.
  const share = new Map(result.perClass.map((r) => [r.positive_class, (r.true_positives + r.false_negatives) / r.example_count]));
  if (pr.length > 0) plots.push(['precision_recall_curve_plot', 'Precision-recall curve', curveSpec('pr', pr.map((c) => ({ name: lineName(c, 'AP'), x: c.x, y: c.y, baseline: share.get(c.label) })), { maxPointsPerLine })]);
  plots.push(['confusion_matrix', 'Confusion matrix', confusionMatrixSpec([{ labels, counts: result.confusion }])]);
  if (result.calibration.length > 0) {
    plots.push(['calibration_curve_plot', 'Calibration', calibrationSpec(result.calibration.map((c) => ({ name: binary ? `positive class ${String(c.label)}` : `class ${String(c.label)}`, bins: c.bins })))]);
  }
  return plots;
}

async function renderPlots(specs: readonly [string, string, VegaLiteSpec][]): Promise<Plot[]> {
  const plots: Plot[] = [];
  for (const [name, title, spec] of specs) plots.push({ name, title, spec, svg: await renderSvg(spec) });
  return plots;
}

function plotPaths(base: string, plots: readonly Plot[]): Record<string, PlotFiles> {
  return Object.fromEntries(plots.map((p) => [p.name, { spec: `${base}/plots/${p.name}.vl.json`, svg: `${base}/plots/${p.name}.svg` }]));
}

function plotFiles(base: string, plots: readonly Plot[]): { path: string; bytes: Uint8Array }[] {
  return plots.flatMap((p) => [
    { path: `${base}/plots/${p.name}.vl.json`, bytes: Buffer.from(JSON.stringify(p.spec, null, 1)) },
    { path: `${base}/plots/${p.name}.svg`, bytes: Buffer.from(p.svg) },
  ]);
}

function jsonFile(path: string, value: unknown): { path: string; bytes: Uint8Array } {
  // NaN and Infinity have no JSON form: they are written as null (the summary's `skipped` says why).
  return { path, bytes: Buffer.from(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n') };
}

/** inputs, then target, prediction and one probability column per label. */
function predictionsTable(frame: EvaluationFrame, target: readonly unknown[], prediction: readonly unknown[], probabilities: readonly (readonly number[])[] | null, labels: readonly Label[]) {
  const columns = new Map<string, readonly unknown[]>();
  const reserved = new Set(['target', 'prediction', ...labels.map((l) => `probability_${String(l)}`)]);
  for (const [name, values] of frame.features) columns.set(reserved.has(name) ? `input_${name}` : name, values);
  columns.set('target', target);
  columns.set('prediction', prediction);
  if (probabilities !== null) labels.forEach((l, c) => columns.set(`probability_${String(l)}`, probabilities.map((r) => r[c])));
  return columnsToTable(columns);
}

function tableFiles(paths: { predictionsArrow: string; predictionsCsv: string }, table: ReturnType<typeof columnsToTable>): { path: string; bytes: Uint8Array }[] {
  return [
    { path: paths.predictionsArrow, bytes: tableToIpcFile(table) },
    { path: paths.predictionsCsv, bytes: Buffer.from(tableToCsv(table)) },
  ];
}
