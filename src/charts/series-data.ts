import { downsampleIndices } from './downsample';
import { ema } from './ema';
import { roundSig, type MetricSeries } from './series';

/**
 * Turns series into compact inline CSV for a Vega-Lite `data.values` string.
 * Only numbers go into the CSV (run index, segment, step, value, smoothed),
 * so no user string ever needs CSV quoting; names join through a lookup.
 * Non-finite points (and non-positive ones on a log axis) end a segment, so
 * a line shows a gap there instead of a false straight join.
 */
export interface SeriesCsvOptions {
  readonly maxPointsPerSeries: number;
  readonly smoothing: number;
  readonly logScale: boolean;
}

export interface SeriesCsv {
  readonly csv: string;
  readonly points: number;
  /**
   * The rows of segments with a single point (same header as `csv`, empty
   * when there are none). A line needs two points, so a run that logged a
   * metric once, or a point between two gaps, draws nothing unless a chart
   * marks these with a point.
   */
  readonly isolated: string;
}

export const SERIES_CSV_PARSE = { r: 'number', g: 'number', s: 'number', v: 'number', e: 'number' } as const;

/** `runIndex[i]` is the lookup index of `series[i]`. */
export function seriesCsv(series: readonly MetricSeries[], runIndex: readonly number[], opts: SeriesCsvOptions): SeriesCsv {
  const parts: string[] = ['r,g,s,v,e'];
  let segment = 0;
  let points = 0;
  let isolated = '';
  for (let k = 0; k < series.length; k++) {
    const s = series[k];
    const smooth = opts.smoothing > 0 ? ema(s.values, opts.smoothing) : null;
    const idx = downsampleIndices(s.values, opts.maxPointsPerSeries);
    const r = runIndex[k];
    let open = false;
    let rows = '';
    // The open segment's point count and its first row.
    let inSegment = 0;
    let first = '';
    const close = () => {
      if (inSegment === 1) isolated += first;
      if (open) segment++;
      open = false;
      inSegment = 0;
    };
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      const v = s.values[i];
      const step = s.steps[i];
      const drawable = Number.isFinite(v) && Number.isFinite(step) && (!opts.logScale || v > 0);
      if (!drawable) {
        close();
        continue;
      }
      open = true;
      const e = smooth ? smooth[i] : v;
      const eOk = Number.isFinite(e) && (!opts.logScale || e > 0);
      const row = `\n${r},${segment},${step},${roundSig(v)},${eOk ? roundSig(e) : ''}`;
      if (inSegment === 0) first = row;
      inSegment++;
      rows += row;
      points++;
    }
    close();
    parts.push(rows.slice(1));
  }
  return { csv: parts.filter((p) => p !== '').join('\n'), points, isolated: isolated === '' ? '' : `${parts[0]}${isolated}` };
}
