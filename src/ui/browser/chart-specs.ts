/**
 * Where a chart's spec comes from, and fetching it early: `prefetchSpecs()`
 * runs from early.js, which the page loads before the Vega builds, so the
 * server builds the specs (and the expression interpreter downloads) while
 * the browser evaluates about a megabyte of Vega. charts.ts then takes the
 * response that is already on its way instead of asking again.
 */
const pending = new Map<string, Promise<Response>>();
const INTERPRETER: string = '/static/vendor/vega-interpreter.js';
let interpreter: Promise<unknown> | undefined;

/** Vega's CSP-safe expression evaluator (an ES module served from the package). */
export function expressionInterpreter(): Promise<unknown> {
  interpreter ??= (import(INTERPRETER) as Promise<{ expressionInterpreter: unknown }>).then((m) => m.expressionInterpreter);
  return interpreter;
}

/** The x/smooth/log values of the controls, as query parameters. */
export function controlQuery(): URLSearchParams {
  const q = new URLSearchParams();
  const x = document.querySelector<HTMLSelectElement>('[data-control="x"]');
  const smooth = document.querySelector<HTMLInputElement>('[data-control="smooth"]');
  const log = document.querySelector<HTMLInputElement>('[data-control="log"]');
  if (x && x.value !== 'step') q.set('x', x.value);
  if (smooth && Number(smooth.value) > 0) q.set('smooth', smooth.value);
  if (log?.checked) q.set('log', '1');
  return q;
}

/** The spec URL of a chart element: its data-spec-url with the controls' state, unless the chart is static. */
export function specUrl(el: HTMLElement): string | undefined {
  const base = el.dataset.specUrl;
  if (!base) return undefined;
  const url = new URL(base, location.href);
  if (el.dataset.static === undefined) for (const [k, v] of controlQuery()) url.searchParams.set(k, v);
  return url.href;
}

/** The response for `url`: the prefetched one the first time, a new request after that. */
export function fetchSpec(url: string): Promise<Response> {
  const early = pending.get(url);
  pending.delete(url);
  return early ?? fetch(url, { credentials: 'same-origin' });
}

export function prefetchSpecs(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.chart[data-spec-url]')) {
    const url = specUrl(el);
    if (url && !pending.has(url)) {
      const request = fetch(url, { credentials: 'same-origin' });
      request.catch(() => undefined); // a failure is reported when charts.ts takes it
      pending.set(url, request);
    }
  }
  void expressionInterpreter().catch(() => undefined);
}
