/**
 * What evaluate() shows under the cell: one HTML output with the metrics
 * and the per-class table (escaped), then one chart bundle per plot
 * (Vega-Lite v5 + the SVG rendered when the plot was made + text, never
 * text/html). Pure: it takes the summary and the plots, touches nothing.
 */
import type { EvaluationSummary } from '../evaluate/evaluation-summary';
import type { VegaLiteSpec } from '../charts/series';
import { escapeHtml } from '../html/escape';
import { Mime, type DisplayBundle } from './bundle';
import { formatNumber } from './format';
import { htmlTable, TABLE_CSS } from './html-table';
import type { Table } from './table';
import { textTable } from './text-table';

export interface RenderedPlot {
  readonly name: string;
  readonly title: string;
  readonly spec: VegaLiteSpec;
  readonly svg: string;
}

const PER_CLASS_ROWS = 30;

export function metricsTable(summary: EvaluationSummary): Table {
  const skipped = Object.entries(summary.skipped);
  return {
    caption: `${summary.modelType} metrics on ${summary.exampleCount} rows`,
    columns: [{ title: 'metric' }, { title: 'value', align: 'right' }],
    rows: Object.entries(summary.metrics).map(([k, v]) => ({ cells: [k, v] })),
    note: skipped.length ? `not computed: ${skipped.map(([k, why]) => `${k} (${why})`).join('; ')}` : undefined,
  };
}

export function perClassTable(summary: EvaluationSummary): Table | undefined {
  const rows = summary.perClass;
  if (!rows || rows.length === 0) return undefined;
  const withAuc = rows.some((r) => r.roc_auc !== undefined);
  const shown = rows.slice(0, PER_CLASS_ROWS);
  return {
    caption: 'per class (one-vs-rest)',
    columns: [
      { title: 'class' }, { title: 'precision', align: 'right' }, { title: 'recall', align: 'right' }, { title: 'f1', align: 'right' },
      { title: 'support', align: 'right' }, ...(withAuc ? [{ title: 'roc_auc', align: 'right' as const }, { title: 'pr_auc', align: 'right' as const }] : []),
    ],
    rows: shown.map((r) => ({
      cells: [String(r.positive_class), r.precision_score, r.recall_score, r.f1_score, r.true_positives + r.false_negatives,
        ...(withAuc ? [r.roc_auc ?? null, r.precision_recall_auc ?? null] : [])],
    })),
    note: rows.length > shown.length ? `showing ${shown.length} of ${rows.length} classes (all in per_class_metrics.csv)` : undefined,
  };
}

/** The metrics output: both tables side by side in one escaped HTML bundle. */
export function evaluationTablesBundle(summary: EvaluationSummary, title: string): DisplayBundle {
  const metrics = metricsTable(summary);
  const perClass = perClassTable(summary);
  const html = `<style>${TABLE_CSS}\n.tl-eval{display:flex;flex-wrap:wrap;gap:4px 28px;align-items:flex-start}</style>` +
    `<div class="tl-wrap"><div><b>${escapeHtml(title)}</b></div><div class="tl-eval">${htmlTable(metrics, { withStyle: false })}${perClass ? htmlTable(perClass, { withStyle: false }) : ''}</div></div>`;
  const text = [title, textTable(metrics), ...(perClass ? [textTable(perClass)] : [])].join('\n');
  return { data: { [Mime.html]: html, [Mime.plain]: text } };
}

export function plotBundle(plot: RenderedPlot, context: string): DisplayBundle {
  return { data: { [Mime.vegaLite]: plot.spec, [Mime.svg]: plot.svg, [Mime.plain]: `${plot.title} (${context})` } };
}

/**
 * @example
 * for (const b of evaluationBundles(summary, plots, 'run brave-otter-042')) display(b);
 */
export function evaluationBundles(summary: EvaluationSummary, plots: readonly RenderedPlot[], runLabel: string): DisplayBundle[] {
  const headline = Object.entries(summary.metrics).find(([k]) => /(^|_)(roc_auc|r2_score)$/.test(k)) ?? Object.entries(summary.metrics).find(([k]) => /accuracy_score$/.test(k));
  const title = `evaluation of ${runLabel}${headline ? `: ${headline[0]} ${formatNumber(headline[1])}` : ''}`;
  return [evaluationTablesBundle(summary, title), ...plots.map((p) => plotBundle(p, runLabel))];
}
