/** The runs of one experiment: filter, sortable columns, column chooser, pages, selection to compare, live rows. */
import type { Experiment, Run } from '../../entities';
import type { TrackingClient } from '../../tracking/client';
import { html, seg, type Html } from '../html';
import { badge, duration, emptyState, num, page, runLabel, time, type PageContext } from '../layout';
import {
  columnId, defaultColumns, isSystemTag, keysOf, readRunsState, runsHref, sortKey, splitOrder, type Column, type RunsState,
} from '../runs-state';
import { searchErrorView, searchProblem, type SearchProblem } from '../search-error-view';

interface Loaded {
  readonly runs: readonly Run[];
  readonly nextPageToken?: string;
  readonly total: number;
}

export async function runsPage(ctx: PageContext, client: TrackingClient, experimentRef: string, query: URLSearchParams): Promise<Html> {
  const experiment = await client.getExperiment(experimentRef);
  const state = readRunsState(query);
  let loaded: Loaded = { runs: [], total: 0 };
  let problem: SearchProblem | undefined;
  let orderProblem: SearchProblem | undefined;
  try {
    const search = {
      experiments: [experiment.experimentId],
      filter: state.filter.trim() === '' ? undefined : state.filter,
      orderBy: state.order ? [state.order] : undefined,
    };
    const [pageOfRuns, total] = await Promise.all([
      client.searchRuns({ ...search, maxResults: state.size, pageToken: state.pageToken || undefined }),
      client.countRuns({ experiments: search.experiments, filter: search.filter }),
    ]);
    loaded = { runs: pageOfRuns.runs, nextPageToken: pageOfRuns.nextPageToken, total };
  } catch (err) {
    const p = searchProblem(err);
    if (!p) throw err;
    if (state.order && /order_by/i.test(p.message)) orderProblem = p;
    else problem = p;
  }
  const columns = state.columns ?? defaultColumns(loaded.runs);
  const body = html`
<div class="crumbs"><a href="/">Experiments</a> /</div>
<h1>${experiment.name}</h1>
${experiment.description ? html`<p class="muted">${experiment.description}</p>` : ''}
<div class="toolbar">
  ${filterForm(experiment, state)}
  ${columnChooser(experiment, state, loaded.runs, columns)}
  <form id="compare" action="/compare" method="get" data-compare><button type="submit" class="primary" data-compare-button>Compare selected</button></form>
</div>
${problem ? searchErrorView(state.filter, problem, 'filter') : ''}
${orderProblem ? searchErrorView(state.order, orderProblem, 'order') : ''}
<div class="banner hidden" data-new-runs></div>
${loaded.runs.length === 0 && !problem && !orderProblem
    ? emptyState(state.filter ? 'No runs match this filter.' : 'No runs in this experiment yet. Start one with tracklab.startRun() in a notebook.')
    : loaded.runs.length > 0 ? runsTable(experiment, state, loaded.runs, columns) : ''}
${pager(experiment, state, loaded)}`;
  return page(ctx, { title: experiment.name, section: 'experiments', body });
}

function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function stateInputs(state: RunsState, skip: 'filter' | 'cols'): Html {
  return html`${skip !== 'filter' && state.filter ? hidden('filter', state.filter) : ''}${state.order ? hidden('order', state.order) : ''}${
    skip !== 'cols' && state.columns !== undefined ? [hidden('cols', '1'), ...state.columns.map((c) => hidden('col', columnId(c)))] : ''}`;
}

function filterForm(experiment: Experiment, state: RunsState): Html {
  return html`<form class="filter" method="get" action="/experiments/${seg(experiment.experimentId)}">
  <input class="filter" type="search" name="filter" value="${state.filter}" placeholder="metrics.acc > 0.9 AND params.optimizer = 'adam'" aria-label="Filter runs" spellcheck="false" autocomplete="off">
  ${stateInputs(state, 'filter')}<button type="submit">Search</button>${state.filter ? html`<a class="button" href="${runsHref(experiment.experimentId, state, { filter: '' })}">Clear</a>` : ''}
</form>`;
}

function columnChooser(experiment: Experiment, state: RunsState, runs: readonly Run[], columns: readonly Column[]): Html {
  const on = new Set(columns.map(columnId));
  const box = (c: Column, label: string) => html`<label><input type="checkbox" name="col" value="${columnId(c)}" ${on.has(columnId(c)) ? html`checked` : ''}> ${label}</label>`;
  const params = [...new Set([...keysOf(runs, (r) => Object.keys(r.data.params)), ...columns.filter((c) => c.kind === 'param').map((c) => c.key)])].sort();
  const metrics = [...new Set([...keysOf(runs, (r) => Object.keys(r.data.metrics)), ...columns.filter((c) => c.kind.startsWith('metric')).map((c) => c.key)])].sort();
  const tags = [...new Set([...keysOf(runs, (r) => Object.keys(r.data.tags)), ...columns.filter((c) => c.kind === 'tag').map((c) => c.key)])]
    .sort((a, b) => Number(isSystemTag(a)) - Number(isSystemTag(b)) || (a < b ? -1 : 1));
  return html`<details class="columns"><summary class="button">Columns (${columns.length})</summary>
<form class="panel" method="get" action="/experiments/${seg(experiment.experimentId)}">${stateInputs(state, 'cols')}${hidden('cols', '1')}
<fieldset><legend>Params</legend>${params.length ? params.map((k) => box({ kind: 'param', key: k }, k)) : html`<span class="muted">none on this page</span>`}</fieldset>
<fieldset><legend>Metrics</legend>${metrics.length ? metrics.map((k) => html`<div>${box({ kind: 'metric', key: k }, `${k} (last)`)}${box({ kind: 'metric-min', key: k }, `${k} (min)`)}${box({ kind: 'metric-max', key: k }, `${k} (max)`)}</div>`) : html`<span class="muted">none on this page</span>`}</fieldset>
<fieldset><legend>Tags</legend>${tags.length ? tags.map((k) => box({ kind: 'tag', key: k }, k)) : html`<span class="muted">none on this page</span>`}</fieldset>
<button type="submit" class="primary">Apply</button> <a class="button" href="${runsHref(experiment.experimentId, { ...state, columns: undefined })}">Reset</a>
</form></details>`;
}

function columnTitle(c: Column): string {
  switch (c.kind) {
    case 'param': return c.key;
    case 'metric': return c.key;
    case 'metric-min': return `${c.key} (min)`;
    case 'metric-max': return `${c.key} (max)`;
    case 'tag': return c.key;
  }
}

function header(experiment: Experiment, state: RunsState, label: string, key: string | undefined, numeric: boolean, group?: string): Html {
  const cls = numeric ? 'num' : '';
  const title = html`${group ? html`<span class="muted">${group} </span>` : ''}${label}`;
  if (key === undefined) return html`<th class="${cls}">${title}</th>`;
  const current = splitOrder(state.order);
  const active = current.key === key;
  // First click on a metric sorts best-looking-high first (DESC); a second click flips.
  const desc = active ? !current.desc : numeric;
  const arrow = active ? (current.desc ? ' ▼' : ' ▲') : '';
  return html`<th class="${cls}" aria-sort="${active ? (current.desc ? 'descending' : 'ascending') : 'none'}"><a href="${runsHref(experiment.experimentId, state, { order: `${key} ${desc ? 'DESC' : 'ASC'}` })}" data-sort="${key}">${title}${arrow}</a></th>`;
}

export function cellValue(run: Run, c: Column): string {
  switch (c.kind) {
    case 'param': return run.data.params[c.key] ?? '';
    case 'tag': return run.data.tags[c.key] ?? '';
    case 'metric': return num(run.data.metrics[c.key]?.last);
    case 'metric-min': return num(run.data.metrics[c.key]?.min);
    case 'metric-max': return num(run.data.metrics[c.key]?.max);
  }
}

function runsTable(experiment: Experiment, state: RunsState, runs: readonly Run[], columns: readonly Column[]): Html {
  const group = (c: Column) => (c.kind === 'param' ? 'params' : c.kind === 'tag' ? 'tags' : 'metrics');
  const numeric = (c: Column) => c.kind.startsWith('metric');
  return html`<div class="scroll"><table class="grid runs" data-runs-table data-experiment="${experiment.experimentId}" data-since="${Date.now()}">
<thead><tr><th class="sel"><input type="checkbox" data-select-all aria-label="Select all runs on this page"></th>
${header(experiment, state, 'Run', 'attributes.run_name', false)}${header(experiment, state, 'Status', 'attributes.status', false)}
${header(experiment, state, 'Started', 'attributes.start_time', false)}<th class="num">Duration</th>${header(experiment, state, 'User', 'attributes.user_id', false)}
${columns.map((c) => header(experiment, state, columnTitle(c), sortKey(c), numeric(c), group(c)))}</tr></thead>
<tbody>${runs.map((r) => html`<tr data-run-id="${r.info.runId}" data-status="${r.info.status}">
<td class="sel"><input type="checkbox" name="run" value="${r.info.runId}" form="compare" aria-label="Select ${runLabel(r.info)}"></td>
<td class="name"><a href="/runs/${seg(r.info.runId)}" title="${runLabel(r.info)}">${runLabel(r.info)}</a></td>
<td data-cell="status">${badge(r.info.status)}</td><td>${time(r.info.startTime)}</td>
<td class="num" data-cell="duration">${r.info.status === 'RUNNING' ? html`<span class="live-dot"></span>` : ''}${duration(r.info.startTime, r.info.endTime)}</td><td>${r.info.user ?? ''}</td>
${columns.map((c) => html`<td class="${numeric(c) ? 'num' : 'val'}" data-col="${columnId(c)}" title="${cellValue(r, c)}">${cellValue(r, c)}</td>`)}
</tr>`)}</tbody></table></div>`;
}

function pager(experiment: Experiment, state: RunsState, loaded: Loaded): Html {
  if (loaded.total === 0) return html``;
  const from = (state.page - 1) * state.size + 1;
  const to = from + loaded.runs.length - 1;
  const pages = Math.max(1, Math.ceil(loaded.total / state.size));
  return html`<div class="pager" data-pager><span>Runs ${from.toLocaleString('en')}–${to.toLocaleString('en')} of ${loaded.total.toLocaleString('en')} · page ${state.page} of ${pages.toLocaleString('en')}</span>
${state.page > 1 ? html`<a class="button" href="${runsHref(experiment.experimentId, state)}">« First</a>` : ''}
${loaded.nextPageToken ? html`<a class="button" rel="next" href="${runsHref(experiment.experimentId, state, { pageToken: loaded.nextPageToken, page: state.page + 1 })}">Next »</a>` : ''}</div>`;
}
