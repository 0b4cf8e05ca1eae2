/**
 * ROC and precision-recall curves: one line per series (a class of one
 * run, or one run of a comparison), the no-skill line dashed, the area in
 * the legend. A classifier that guesses draws ROC's diagonal, but its
 * precision is the share of positives at every recall, so a PR curve's
 * baseline is a level line at that share, one per series (classes differ).
 * With several runs and several classes the chart is faceted by class, so
 * runs overlay in each panel. Curves are thinned to a bounded number of
 * points (their areas are computed on the full data upstream).
 */
import { baseConfig } from './palette';
import { roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

export interface CurveLine {
  /** Legend entry, e.g. "class 3 (AUC 0.912)" or a run name. */
  readonly name: string;
  /** Facet panel (a class), when the chart compares runs on several classes. */
  readonly panel?: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** PR only: the no-skill precision, positives / rows of the data. Without it no baseline is drawn. */
  readonly baseline?: number;
}

export type CurveKind = 'roc' | 'pr';

interface CurveRow {
  readonly kind: 'curve' | 'baseline' | 'diagonal';
  readonly series?: string;
  readonly panel: string;
  readonly order?: number;
  readonly x?: number;
  readonly y: number;
}

const MAX_POINTS_PER_LINE = 300;

/** Keeps the first and last point and evenly spaced ones between. */
export function thinCurve(x: readonly number[], y: readonly number[], max = MAX_POINTS_PER_LINE): { x: number[]; y: number[] } {
  if (x.length <= max) return { x: [...x], y: [...y] };
  const keep: number[] = [];
  for (let i = 0; i < max; i++) keep.push(Math.round((i * (x.length - 1)) / (max - 1)));
  return { x: keep.map((i) => x[i]), y: keep.map((i) => y[i]) };
}

/**
 * @example
 * const spec = curveSpec('roc', [{ name: 'AUC 0.91', x: fpr, y: tpr }], { title: 'ROC curve' });
 */
export function curveSpec(kind: CurveKind, lines: readonly CurveLine[], options: { title?: string; width?: number; height?: number; maxPointsPerLine?: number } = {}): VegaLiteSpec {
  const faceted = lines.some((l) => l.panel !== undefined);
  // Curves, baselines and diagonals share one data set, told apart by `kind`:
  // a facet splits only the chart's own data, so a layer with data of its
  // own would draw every panel's baseline in every panel.
  const rows: CurveRow[] = [];
  for (const line of lines) {
    const { x, y } = thinCurve(line.x, line.y, options.maxPointsPerLine);
    x.forEach((xv, i) => rows.push({ kind: 'curve', series: line.name, panel: line.panel ?? '', order: i, x: roundSig(xv), y: roundSig(y[i]) }));
  }
  const names = [...new Set(lines.map((l) => l.name))];
  const panels = [...new Set(lines.map((l) => l.panel ?? ''))];
  const roc = kind === 'roc';
  const width = options.width ?? (faceted ? 220 : 360);
  const height = options.height ?? (faceted ? 200 : 300);
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: names, scheme: names.length <= 10 ? 'tableau10' : 'tableau20' }, legend: { orient: 'bottom', columns: 1, labelLimit: 320 } };
  const levels = roc ? [] : lines.filter((l) => l.baseline !== undefined && Number.isFinite(l.baseline));
  for (const l of levels) rows.push({ kind: 'baseline', series: l.name, panel: l.panel ?? '', y: roundSig(l.baseline as number) });
  if (roc) for (const panel of panels) rows.push({ kind: 'diagonal', panel, x: 0, y: 0 }, { kind: 'diagonal', panel, x: 1, y: 1 });
  const only = (k: CurveRow['kind']) => [{ filter: `datum.kind === '${k}'` }];
  const baseline = roc
    ? {
      transform: only('diagonal'),
      mark: { type: 'line', strokeDash: [4, 4], color: '#999', strokeWidth: 1 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    }
    : {
      // In the colour of its curve, as each class has its own share of positives.
      transform: only('baseline'),
      mark: { type: 'rule', strokeDash: [4, 4], strokeWidth: 1, opacity: 0.8, tooltip: true },
      encoding: {
        y: { field: 'y', type: 'quantitative' },
        color,
        tooltip: [{ field: 'series', type: 'nominal', title: 'curve' }, { field: 'y', type: 'quantitative', title: 'no-skill precision', format: '.3f' }],
      },
    };
  const xTitle = roc ? 'False positive rate' : 'Recall';
  const yTitle = roc ? 'True positive rate' : 'Precision';
  const layer = [
    ...(roc || levels.length > 0 ? [baseline] : []),
    {
      transform: only('curve'),
      mark: { type: 'line', strokeWidth: 2, tooltip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } },
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } },
        color,
        order: { field: 'order', type: 'quantitative' },
        // Titled like the axes: a tooltip shows a field's name when it has no title ("series", "x", "y").
        tooltip: [{ field: 'series', type: 'nominal', title: 'curve' }, { field: 'x', type: 'quantitative', title: xTitle, format: '.3f' }, { field: 'y', type: 'quantitative', title: yTitle, format: '.3f' }],
      },
    },
  ];
  const text = options.title ?? (roc ? 'ROC curve' : 'Precision-recall curve');
  const title = !roc && levels.length > 0 ? { text, subtitle: 'dashed: no-skill precision (share of positives)' } : text;
  if (!faceted) {
    return { $schema: VEGA_LITE_SCHEMA, title, width, height, data: { values: rows }, layer, config: baseConfig };
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    // Two columns for four classes (a square), else up to three: four 220-pixel panels overflow a notebook.
    columns: panels.length === 4 ? 2 : Math.min(panels.length, 3),
    spec: { width, height, layer },
    resolve: { scale: { color: 'shared' } },
    config: baseConfig,
  };
}
