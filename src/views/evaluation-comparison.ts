/**
 * Evaluations of several runs side by side (compare({ evaluation: true })):
 * a table of their evaluation metrics with the best run marked, their ROC
 * curves overlaid (one panel per class for multiclass), and their
 * confusion matrices next to each other. Pure: summaries in, bundles out.
 */
import { curveSpec, type CurveLine } from '../charts/curve-chart';
import { confusionMatrixSpec } from '../charts/confusion-matrix-chart';
import type { EvaluationSummary } from '../evaluate/evaluation-summary';
import { TracklabError } from '../errors';
import type { DisplayBundle } from './bundle';
import { boundedChartBundle, tableBundle } from './chart-bundle';
import { bestIndices, inferMode, type Mode } from './run-metrics';

export interface RunEvaluation {
  readonly runId: string;
  readonly runName: string;
  readonly summary: EvaluationSummary;
}

const CLASSIFIER_KEYS = ['accuracy_score', 'roc_auc', 'precision_recall_auc', 'f1_score', 'precision_score', 'recall_score', 'log_loss', 'example_count'];
const REGRESSOR_KEYS = ['r2_score', 'root_mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error', 'max_error', 'example_count'];

function metricOf(e: RunEvaluation, name: string): number {
  return e.summary.metrics[`${e.summary.metricPrefix}${name}`] ?? NaN;
}

/**
 * @example
 * const bundles = await evaluationComparisonBundles(evaluations, { metric: 'roc_auc' });
 */
export async function evaluationComparisonBundles(evaluations: readonly RunEvaluation[], options: { metric?: string; mode?: Mode } = {}): Promise<DisplayBundle[]> {
  if (evaluations.length === 0) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', 'None of these runs has an evaluation: run tracklab.evaluate(model, data, { modelType, targets }) in them first.');
  }
  const classifier = evaluations.some((e) => e.summary.modelType === 'classifier');
  const shown = evaluations.filter((e) => e.summary.modelType === (classifier ? 'classifier' : 'regressor'));
  const keys = (classifier ? CLASSIFIER_KEYS : REGRESSOR_KEYS).filter((k) => shown.some((e) => Number.isFinite(metricOf(e, k))));
  const metric = options.metric ?? (classifier ? (keys.includes('roc_auc') ? 'roc_auc' : 'accuracy_score') : 'r2_score');
  const mode = options.mode ?? (metric === 'r2_score' ? 'max' : inferMode(metric));
  const best = new Set(bestIndices(shown.map((e) => metricOf(e, metric)), mode));
  const out: DisplayBundle[] = [tableBundle({
    caption: `evaluations of ${shown.length} run(s), best by ${metric} (${mode})`,
    columns: [{ title: 'run' }, ...keys.map((k) => ({ title: k, align: 'right' as const }))],
    rows: shown.map((e, i) => ({ cells: [e.runName, ...keys.map((k) => metricOf(e, k))], highlight: best.has(i) })),
    note: shown.length < evaluations.length ? `${evaluations.length - shown.length} regressor evaluation(s) left out` : undefined,
  })];
  if (!classifier) return out;

  const multiclass = shown.some((e) => (e.summary.labels?.length ?? 0) > 2);
  const lines: CurveLine[] = [];
  for (const e of shown) {
    for (const c of e.summary.roc ?? []) {
      const area = Number.isFinite(c.area) ? ` (AUC ${c.area.toFixed(3)})` : '';
      lines.push(multiclass ? { name: e.runName, panel: `class ${String(c.label)}`, x: c.x, y: c.y } : { name: `${e.runName}${area}`, x: c.x, y: c.y });
    }
  }
  if (lines.length > 0) {
    out.push(await boundedChartBundle(
      (scale) => curveSpec('roc', lines, { title: multiclass ? 'ROC curves, one-vs-rest, by class' : 'ROC curves', maxPointsPerLine: Math.round(300 * scale) }),
      `ROC curves of ${shown.length} run(s)${multiclass ? ' (one panel per class)' : ''}`,
    ));
  }
  const matrices = shown.filter((e) => e.summary.confusion && e.summary.labels).map((e) => ({ name: e.runName, labels: e.summary.labels ?? [], counts: e.summary.confusion ?? [] }));
  if (matrices.length > 0) {
    out.push(await boundedChartBundle(() => confusionMatrixSpec(matrices, { title: 'Confusion matrices (colour: share of the actual class)' }), `confusion matrices of ${matrices.length} run(s)`));
  }
  return out;
}
