import { downsampleIndices } from './downsample';

/**
 * A sparkline as a small standalone `<svg>` string, built synchronously with
 * no vega: the live run card redraws it on every throttled update. Only
 * numbers reach the markup, so there is nothing to escape. Non-finite values
 * break the line; the last point gets a dot.
 *
 * @example
 * html += sparklineSvg(series.steps, series.values);
 */
export function sparklineSvg(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  options: { width?: number; height?: number; color?: string } = {},
): string {
  const width = size(options.width, 120);
  const height = size(options.height, 24);
  const color = /^#[0-9a-fA-F]{3,8}$/.test(options.color ?? '') ? (options.color as string) : '#4c78a8';
  const idx = downsampleIndices(values, Math.max(8, width * 2));
  let sMin = Infinity;
  let sMax = -Infinity;
  let vMin = Infinity;
  let vMax = -Infinity;
  for (let j = 0; j < idx.length; j++) {
    const s = steps[idx[j]];
    const v = values[idx[j]];
    if (!Number.isFinite(s) || !Number.isFinite(v)) continue;
    if (s < sMin) sMin = s;
    if (s > sMax) sMax = s;
    if (v < vMin) vMin = v;
    if (v > vMax) vMax = v;
  }
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`;
  if (sMin > sMax) return `${open}</svg>`;
  const pad = 2;
  const x = (s: number) => (sMax === sMin ? width / 2 : pad + ((s - sMin) / (sMax - sMin)) * (width - 2 * pad));
  const y = (v: number) => (vMax === vMin ? height / 2 : height - pad - ((v - vMin) / (vMax - vMin)) * (height - 2 * pad));
  let d = '';
  let penDown = false;
  let lastX = 0;
  let lastY = 0;
  for (let j = 0; j < idx.length; j++) {
    const s = steps[idx[j]];
    const v = values[idx[j]];
    if (!Number.isFinite(s) || !Number.isFinite(v)) {
      penDown = false;
      continue;
    }
    lastX = x(s);
    lastY = y(v);
    d += `${penDown ? 'L' : 'M'}${lastX.toFixed(1)},${lastY.toFixed(1)}`;
    penDown = true;
  }
  return (
    `${open}<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>` +
    `<circle cx="${lastX.toFixed(1)}" cy="${lastY.toFixed(1)}" r="2" fill="${color}"/></svg>`
  );
}

/** Sizes land in markup: keep them plain bounded integers. */
function size(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(2000, Math.max(8, Math.round(value))) : fallback;
}
