import { renderSvg } from '../charts/render-svg';
import type { VegaLiteSpec } from '../charts/series';
import { Mime, type DisplayBundle } from './bundle';
import { textTable } from './text-table';
import { htmlTable } from './html-table';
import type { Table } from './table';

/** A chart bundle stays under this, whatever the run count or series length. */
export const MAX_CHART_BUNDLE_BYTES = 300 * 1024;

/**
 * A chart as Jupyter shows it: the Vega-Lite spec (object) for interactive
 * frontends, a server-rendered SVG for static ones, and a one-line summary.
 * Never text/html: JupyterLab ranks HTML above Vega and would hide the chart.
 *
 * @example
 * const bundle = await chartBundle(lineChartSpec('loss', series), 'loss for 3 runs');
 */
export async function chartBundle(spec: VegaLiteSpec, summary: string): Promise<DisplayBundle> {
  const svg = await renderSvg(spec);
  return { data: { [Mime.vegaLite]: spec, [Mime.svg]: svg, [Mime.plain]: summary } };
}

/**
 * Builds a chart with a point budget and halves the budget until the bundle
 * fits MAX_CHART_BUNDLE_BYTES (at most three tries; the defaults fit first).
 */
export async function boundedChartBundle(build: (scale: number) => VegaLiteSpec, summary: string): Promise<DisplayBundle> {
  let bundle = await chartBundle(build(1), summary);
  for (let scale = 0.5; bundleBytes(bundle) > MAX_CHART_BUNDLE_BYTES && scale >= 0.125; scale /= 2) {
    bundle = await chartBundle(build(scale), summary);
  }
  return bundle;
}

/** Size of a bundle as it would be saved in the notebook (UTF-8 JSON). */
export function bundleBytes(bundle: DisplayBundle): number {
  return Buffer.byteLength(JSON.stringify(bundle.data), 'utf8');
}

/**
 * A table as Jupyter shows it: escaped HTML with scoped styles, plus the
 * same table as aligned text for consoles and text-only frontends.
 *
 * @example
 * display(tableBundle({ columns: [{ title: 'run' }], rows: [{ cells: ['brave-otter-042'] }] }));
 */
export function tableBundle(table: Table): DisplayBundle {
  return { data: { [Mime.html]: htmlTable(table), [Mime.plain]: textTable(table) } };
}
