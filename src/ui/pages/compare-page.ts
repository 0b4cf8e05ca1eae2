/** Runs side by side: metric overlay, parallel coordinates, param/metric scatter, and a diff table. */
import type { Run } from '../../entities';
import type { TrackingClient } from '../../tracking/client';
import { formatNumber } from '../../views/format';
import { differingParams, runIdsOf } from '../chart-api';
import { chartControls, readChartState } from '../chart-state';
import { html, seg, type Html } from '../html';
import { badge, emptyState, page, runLabel, type PageContext } from '../layout';

export async function comparePage(ctx: PageContext, client: TrackingClient, query: URLSearchParams): Promise<Html> {
  const ids = runIdsOf(query);
  const runs = await Promise.all(ids.map((id) => client.getRun(id)));
  if (runs.length === 0) {
    return page(ctx, { title: 'Compare', section: 'experiments', body: html`<h1>Compare runs</h1>${emptyState('No runs chosen. Select runs in an experiment\'s table, then press "Compare selected".')}` });
  }
  const metrics = sharedMetrics(runs);
  const askedMetric = query.get('metric') ?? '';
  const metric = metrics.includes(askedMetric) ? askedMetric : metrics[0];
  const differing = differingParams(runs);
  const askedParam = query.get('param') ?? '';
  const param = differing.includes(askedParam) ? askedParam : differing[0];
  const base = new URLSearchParams();
  for (const id of ids) base.append('run', id);
  const specUrl = (kind: string, extra: Record<string, string> = {}) => {
    const q = new URLSearchParams(base);
    q.set('metric', metric);
    q.set('kind', kind);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `/ui-api/compare/chart?${q.toString()}`;
  };
  const body = html`<div class="crumbs"><a href="/">Experiments</a> /</div>
<h1>Compare ${runs.length} run${runs.length === 1 ? '' : 's'}</h1>
<p>${runs.map((r) => html`<a class="chip" href="/runs/${seg(r.info.runId)}" title="${runLabel(r.info)}">${runLabel(r.info)}</a>`)}</p>
${askedMetric && askedMetric !== metric ? notice('metric', `None of these runs logged the metric "${askedMetric}"`, metric, 'Their metrics', metrics) : ''}
${askedParam && askedParam !== param && metric !== undefined ? notice('param', runs.some((r) => Object.prototype.hasOwnProperty.call(r.data.params, askedParam)) ? `The param "${askedParam}" does not differ between these runs` : `None of these runs logged the param "${askedParam}"`, param, 'The params that differ', differing) : ''}
${metric === undefined ? emptyState('These runs have no metrics to compare.') : html`
<form method="get" action="/compare" class="inline-form">${ids.map((id) => html`<input type="hidden" name="run" value="${id}">`)}
<label>Metric <select name="metric">${metrics.map((m) => html`<option value="${m}" ${m === metric ? html`selected` : ''}>${m}</option>`)}</select></label>
${differing.length ? html`<label>Scatter param <select name="param">${differing.map((p) => html`<option value="${p}" ${p === param ? html`selected` : ''}>${p}</option>`)}</select></label>` : ''}
<button type="submit">Show</button></form>
${chartControls(readChartState(query))}
<div class="cards" data-compare-charts>
<div class="card wide"><div class="chart" data-spec-url="${specUrl('overlay')}" aria-label="${metric} overlay"></div></div>
${differing.length ? html`<div class="card wide"><div class="chart" data-spec-url="${specUrl('parallel')}" data-static aria-label="parallel coordinates"></div></div>
<div class="card"><div class="chart" data-spec-url="${specUrl('scatter', { param })}" data-static aria-label="scatter"></div></div>` : html`<div class="card">${emptyState('The runs share every param value: no parallel coordinates or scatter to draw.')}</div>`}
</div>`}
<h2>Params and metrics</h2>${diffTable(runs)}`;
  return page(ctx, { title: 'Compare runs', section: 'experiments', body, charts: metric !== undefined });
}

/** Says that the link asked for a metric or param the page cannot show, what it shows instead and what it could show. */
function notice(what: 'metric' | 'param', problem: string, shown: string | undefined, label: string, available: readonly string[]): Html {
  const instead = shown === undefined ? '' : `; showing "${shown}"`;
  const choices = available.length ? ` ${label}: ${available.join(', ')}.` : '';
  return html`<div class="banner" role="status" data-testid="${what}-notice">${problem}${instead}.${choices}</div>`;
}

/** Metrics most of the runs have, loss-like first. */
function sharedMetrics(runs: readonly Run[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const k of Object.keys(r.data.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const rank = (k: string) => (/^val_?loss$/i.test(k) ? 0 : /loss/i.test(k) ? 1 : 2);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
}

function diffTable(runs: readonly Run[]): Html {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.data.metrics)))].sort();
  const differs = (values: readonly string[]) => new Set(values).size > 1;
  const row = (group: string, key: string, values: string[]) => html`<tr class="${differs(values) ? 'diff' : ''}" data-diff="${differs(values) ? '1' : '0'}"><td class="key" title="${key}"><span class="muted">${group} </span>${key}</td>${values.map((v) => html`<td class="val" title="${v}">${v}</td>`)}</tr>`;
  if (params.length === 0 && metrics.length === 0) return emptyState('These runs have no params or metrics.');
  return html`<p class="muted">Rows whose values differ are highlighted.</p><div class="scroll"><table class="grid" data-diff-table><thead><tr><th></th>${runs.map((r) => html`<th class="name"><a href="/runs/${seg(r.info.runId)}" title="${runLabel(r.info)}">${runLabel(r.info)}</a><br>${badge(r.info.status)}</th>`)}</tr></thead><tbody>
${params.map((p) => row('params', p, runs.map((r) => r.data.params[p] ?? '')))}
${metrics.map((m) => row('metrics', m, runs.map((r) => (r.data.metrics[m] ? formatNumber(r.data.metrics[m].last) : ''))))}
</tbody></table></div>`;
}
