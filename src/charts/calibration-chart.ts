/**
 * A calibration (reliability) curve: mean predicted probability against the
 * fraction of positives per bin, one line per class, each bin a point
 * sized by its row count, the perfectly calibrated diagonal dotted.
 */
import { baseConfig } from './palette';
import { roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

export interface CalibrationLine {
  readonly name: string;
  readonly bins: readonly { readonly meanPredicted: number; readonly fractionPositive: number; readonly count: number }[];
}

/** @example const spec = calibrationSpec([{ name: 'class 1', bins }]); */
export function calibrationSpec(lines: readonly CalibrationLine[], options: { title?: string } = {}): VegaLiteSpec {
  const rows = lines.flatMap((l) => l.bins.map((b) => ({ series: l.name, x: roundSig(b.meanPredicted), y: roundSig(b.fractionPositive), count: b.count })));
  const names = lines.map((l) => l.name);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title ?? 'Calibration',
    width: 360,
    height: 300,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', strokeDash: [2, 3], color: '#777', strokeWidth: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        layer: [
          { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.7 } },
          // A point's area is its bin's row count: a bin of two rows that swings the line looks as small as it is.
          {
            mark: { type: 'point', filled: true, opacity: 0.9, tooltip: true },
            encoding: {
              size: { field: 'count', type: 'quantitative', title: 'rows in bin', scale: { type: 'sqrt', range: [12, 260] }, legend: { orient: 'bottom' } },
              // Titled like the axes: a tooltip shows a field's name when it has no title ("series", "x", "y").
              tooltip: [
                { field: 'series', type: 'nominal', title: 'curve' },
                { field: 'x', type: 'quantitative', title: 'Mean predicted probability', format: '.3f' },
                { field: 'y', type: 'quantitative', title: 'Fraction of positives', format: '.3f' },
                { field: 'count', type: 'quantitative', title: 'rows in bin' },
              ],
            },
          },
        ],
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'Mean predicted probability', scale: { domain: [0, 1] } },
          y: { field: 'y', type: 'quantitative', title: 'Fraction of positives', scale: { domain: [0, 1] } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, scheme: names.length <= 10 ? 'tableau10' : 'tableau20' }, legend: { orient: 'bottom', columns: 2 } },
        },
      },
    ],
    config: baseConfig,
  };
}
