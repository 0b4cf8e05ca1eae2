import { TracklabError } from '../errors';
import { dimensionScale } from './dimension-scale';
import { baseConfig } from './palette';
import { runLabels, roundSig, VEGA_LITE_SCHEMA, type VegaLiteSpec } from './series';

/** One run as parallel coordinates sees it: its params and its metric value. */
export interface RunPoint {
  readonly runId: string;
  readonly runName: string;
  readonly params: Readonly<Record<string, string | number>>;
  /** The run's value of the chosen metric; runs with a non-finite value are left out (noted in the subtitle). */
  readonly value: number;
}

/**
 * Parallel coordinates from params to a metric: one vertical axis per param
 * (plus the metric last), each normalised to [0, 1] in the data built here
 * (no fold/normalize transforms needed, which keeps to Vega-Lite 5.6), one
 * polyline per run coloured by the metric. Numeric and categorical params
 * both work; axis labels are drawn as text marks from data values. A run
 * without a param has no position on its axis, so its line stops on either
 * side of that axis (a join across it would draw a value the run never had),
 * a stretch of one axis shows as a ring, and the subtitle says which axes.
 *
 * @example
 * const spec = parallelCoordinatesSpec('val_loss', ['lr', 'optimizer'], points);
 */
export function parallelCoordinatesSpec(
  metric: string,
  params: readonly string[],
  runs: readonly RunPoint[],
  options: { title?: string; width?: number; height?: number } = {},
): VegaLiteSpec {
  if (params.length === 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Parallel coordinates need at least one param to draw against "${metric}". Log params on the runs or pass params: [...].`);
  }
  const drawn = runs.filter((r) => Number.isFinite(r.value));
  const labels = runLabels(drawn);
  // Axis names are data values of the `dim` field; the metric axis is kept
  // apart from a param that happens to share its name.
  const dims = [...params, metric];
  const dimNames = dims.map((d, i) => (dims.indexOf(d) === i ? d : `${d} (metric)`));
  const scales = [
    ...params.map((p) => dimensionScale(drawn.map((r) => r.params[p]))),
    dimensionScale(drawn.map((r) => r.value)),
  ];
  // `g` numbers the unbroken stretches of each run's line.
  type Vertex = { r: number; g: number; d: number; y: number };
  const lines: Vertex[] = [];
  const lone: Vertex[] = [];
  const runsWithout = new Array<number>(dims.length).fill(0);
  let g = 0;
  drawn.forEach((run, r) => {
    let stretch: Vertex[] = [];
    const end = () => {
      if (stretch.length === 1) lone.push(stretch[0]);
      else lines.push(...stretch);
      if (stretch.length > 0) g++;
      stretch = [];
    };
    dims.forEach((_, d) => {
      const y = scales[d].position(d === dims.length - 1 ? run.value : run.params[params[d]]);
      if (y === null) {
        runsWithout[d]++;
        end();
      } else {
        stretch.push({ r, g, d, y: roundSig(y, 4) });
      }
    });
    end();
  });
  const ticks = scales.flatMap((s, d) => s.ticks.map((t) => ({ dim: dimNames[d], y: t.y, label: t.label })));
  const x = { field: 'dim', type: 'nominal', scale: { domain: dimNames }, axis: { title: null, orient: 'top', labelAngle: 0, domain: false, ticks: false, labelFontWeight: 'bold', labelColor: '#222', labelLimit: 140 } };
  // A margin around [0, 1] keeps the end labels clear of the axis names.
  const yDomain = [-0.04, 1.04];
  const y = { field: 'y', type: 'quantitative', axis: null, scale: { domain: yDomain } };
  const missing = runs.length - drawn.length;
  const subtitle: string[] = [];
  if (missing > 0) subtitle.push(`${missing} run(s) without ${metric} not drawn`);
  const gaps = dimNames.flatMap((dim, d) => (runsWithout[d] > 0 ? [`${dim} (${runsWithout[d]} run${runsWithout[d] > 1 ? 's' : ''})`] : []));
  if (gaps.length > 0) subtitle.push(`lines break at an axis the run has no value for: ${gaps.join(', ')}`);
  const named = [
    { lookup: 'd', from: { data: { values: dimNames.map((dim, d) => ({ d, dim })) }, key: 'd', fields: ['dim'] } },
    { lookup: 'r', from: { data: { values: drawn.map((run, r) => ({ r, run: labels.get(run.runId) ?? run.runId, m: roundSig(run.value) })) }, key: 'r', fields: ['run', 'm'] } },
  ];
  // Viridis without its pale yellow end, which vanishes on white.
  const color = { field: 'm', type: 'quantitative', title: metric, scale: { scheme: { name: 'viridis', extent: [0, 0.85] } } };
  const tooltip = [
    { field: 'run', type: 'nominal', title: 'run' },
    { field: 'm', type: 'quantitative', title: metric, format: '.4~g' },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? `params → ${metric}`, ...(subtitle.length > 0 ? { subtitle: subtitle.join(' · ') } : {}) },
    width: options.width ?? Math.max(360, 130 * dims.length),
    height: options.height ?? 260,
    layer: [
      {
        data: { values: dimNames.map((dim) => ({ dim })) },
        mark: { type: 'rule', color: '#999' },
        encoding: { x, y: { datum: 0, type: 'quantitative', scale: { domain: yDomain }, axis: null }, y2: { datum: 1 } },
      },
      {
        data: { values: lines },
        transform: named,
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8, tooltip: true },
        encoding: { x, y, detail: { field: 'g', type: 'nominal' }, order: { field: 'd', type: 'quantitative' }, color, tooltip },
      },
      ...(lone.length > 0 ? [{
        data: { values: lone },
        transform: named,
        // Rings, coloured by stroke like the lines: a filled dot would turn the legend from a gradient into symbols.
        mark: { type: 'point', filled: false, size: 50, strokeWidth: 2.5, opacity: 0.9, tooltip: true },
        encoding: { x, y, color, tooltip },
      }] : []),
      {
        data: { values: ticks },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#444' },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: { ...baseConfig, view: { stroke: null } },
  };
}
