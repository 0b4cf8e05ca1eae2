/**
 * Draws the chart specs the server builds (src/charts, as in the notebook)
 * with vega-embed. `ast: true` with `expr: expressionInterpreter` makes Vega
 * evaluate expressions with vega-interpreter (served from the package)
 * instead of `new Function`, so the page's CSP needs no 'unsafe-eval'; tooltips and embed styles come from ui.css, not injected
 * <style> elements, so it needs no 'unsafe-inline' either.
 */
import { controlQuery, expressionInterpreter, fetchSpec, specUrl } from './chart-specs.js';

interface EmbedResult { finalize(): void }
type VegaEmbed = (el: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<EmbedResult>;
declare global {
  interface Window { vegaEmbed?: VegaEmbed }
}

const views = new WeakMap<HTMLElement, EmbedResult>();

async function whenVegaEmbed(): Promise<VegaEmbed> {
  // The vendor scripts are `defer`red; module scripts run after them, but wait for load to be sure.
  if (!window.vegaEmbed) await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
  if (!window.vegaEmbed) throw new Error('vega-embed did not load');
  return window.vegaEmbed;
}

export async function drawChart(el: HTMLElement): Promise<void> {
  const url = specUrl(el);
  if (!url) return;
  el.dataset.state = 'loading';
  try {
    const res = await fetchSpec(url);
    const body = await res.json() as { message?: string; $schema?: string };
    if (!res.ok) throw new Error(body.message ?? `${res.status}`);
    // The builders write Vega-Lite v5 specs (what JupyterLab renders); the page's Vega-Lite 6 compiles them
    // the same way, so the schema line is dropped rather than warned about.
    delete body.$schema;
    const mode = el.dataset.mode === 'vega' ? 'vega' : 'vega-lite';
    const [embed, expr] = await Promise.all([whenVegaEmbed(), expressionInterpreter()]);
    views.get(el)?.finalize();
    const result = await embed(el, body, { mode, renderer: 'svg', actions: false, ast: true, expr, defaultStyle: false, tooltip: { disableDefaultStyle: true } });
    views.set(el, result);
    el.dataset.state = 'drawn';
  } catch (err) {
    el.dataset.state = 'error';
    el.textContent = `Could not draw this chart: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export function drawAll(root: ParentNode = document): Promise<void[]> {
  return Promise.all([...root.querySelectorAll<HTMLElement>('.chart[data-spec-url]')].map(drawChart));
}

/** Wires the x-axis, smoothing and log controls: they redraw the charts and keep the URL in step (deep links). */
export function initChartControls(): void {
  const controls = document.querySelector('[data-chart-controls]');
  if (!controls) return;
  const output = controls.querySelector('[data-smooth-value]');
  let timer: number | undefined;
  const apply = () => {
    const url = new URL(location.href);
    for (const k of ['x', 'smooth', 'log']) url.searchParams.delete(k);
    for (const [k, v] of controlQuery()) url.searchParams.set(k, v);
    history.replaceState(null, '', url);
    void drawAll();
  };
  controls.addEventListener('input', (e) => {
    const target = e.target as HTMLInputElement;
    if (target.dataset.control === 'smooth' && output) output.textContent = Number(target.value).toFixed(2);
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 150);
  });
}
