/**
 * Shared look of every chart: categorical colours stable by run order, one
 * width, and a config that reads in light and dark notebook themes.
 */

/** Vega scheme for `n` runs: tableau10 while it has enough distinct colours. */
export function runScheme(n: number): string {
  return n <= 10 ? 'tableau10' : 'tableau20';
}

export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 300;

/**
 * An explicit white background with dark axes: a transparent chart loses its
 * black labels on a dark JupyterLab theme, a white card reads on both.
 */
export const baseConfig = {
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelColor: '#444', titleColor: '#222', gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888' },
  legend: { labelColor: '#333', titleColor: '#222', labelLimit: 220 },
  title: { color: '#222', subtitleColor: '#666', anchor: 'start' },
} as const;
