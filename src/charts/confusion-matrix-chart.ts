/**
 * Confusion matrices as heatmaps: true class down, predicted class across,
 * each cell coloured by the share of its true class (MLflow's plot
 * normalises by true class too) and labelled with the count and the share.
 * Several matrices (one per run) sit side by side as facets.
 */
import { baseConfig } from './palette';
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

export interface ConfusionInput {
  /** Facet title (a run name) when several matrices are drawn. */
  readonly name?: string;
  readonly labels: readonly (string | number | boolean)[];
  /** counts[true][predicted] */
  readonly counts: readonly (readonly number[])[];
}

/** Past this many classes the cell texts are left out (they would not fit). */
const MAX_LABELLED_CLASSES = 12;

/**
 * @example
 * const spec = confusionMatrixSpec([{ labels: ['cat', 'dog'], counts: [[5, 1], [2, 7]] }]);
 */
export function confusionMatrixSpec(matrices: readonly ConfusionInput[], options: { title?: string } = {}): VegaLiteSpec {
  const rows: { panel: string; actual: string; predicted: string; count: number; share: number; text: string }[] = [];
  for (const m of matrices) {
    m.counts.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((count, p) => {
        const share = total === 0 ? 0 : count / total;
        rows.push({ panel: m.name ?? '', actual: String(m.labels[t]), predicted: String(m.labels[p]), count, share, text: `${count}\n${Math.round(share * 100)}%` });
      });
    });
  }
  const k = Math.max(...matrices.map((m) => m.labels.length));
  const labels = [...new Set(matrices.flatMap((m) => m.labels.map(String)))];
  const cell = Math.max(22, Math.min(56, Math.floor(300 / Math.max(k, 1))));
  const size = cell * k;
  const spec = {
    width: size,
    height: size,
    encoding: {
      // Faceted, the run names head each matrix: the predicted axis moves below it.
      x: { field: 'predicted', type: 'nominal', title: 'Predicted', sort: labels, axis: { labelAngle: 0, orient: matrices.length > 1 ? 'bottom' : 'top' } },
      y: { field: 'actual', type: 'nominal', title: 'Actual', sort: labels },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1, tooltip: true },
        encoding: {
          color: { field: 'share', type: 'quantitative', title: 'share of actual', scale: { scheme: 'blues', domain: [0, 1] }, legend: { format: '.0%' } },
          tooltip: [
            { field: 'actual', type: 'nominal', title: 'Actual' }, { field: 'predicted', type: 'nominal', title: 'Predicted' },
            { field: 'count', type: 'quantitative', title: 'rows' }, { field: 'share', type: 'quantitative', title: 'share of actual', format: '.1%' },
          ],
        },
      },
      ...(k <= MAX_LABELLED_CLASSES ? [{
        mark: { type: 'text', fontSize: cell >= 40 ? 12 : 10, lineBreak: '\n' },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
        },
      }] : []),
    ],
  };
  const title = options.title ?? 'Confusion matrix';
  if (matrices.length <= 1) {
    return { $schema: VEGA_LITE_SCHEMA, title, data: { values: rows }, ...spec, config: baseConfig };
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, sort: matrices.map((m) => m.name ?? ''), header: { labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 260 } },
    columns: Math.max(1, Math.min(matrices.length, Math.floor(900 / (size + 90)))),
    spec,
    config: baseConfig,
  };
}
