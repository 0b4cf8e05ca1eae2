/** The runs of one experiment: filter, sortable columns, column chooser, pages, selection to compare, live rows. */
import type { Experiment, Run } from '../../entities';
import type { TrackingClient } from '../../tracking/client';
import { html, seg, type Html } from '../html';
import { badge, deletedNotice, duration, emptyState, num, page, runLabel, time, type PageContext } from '../layout';
import {
  columnId, defaultColumns, isSystemTag, keysOf, readRunsState, runsHref, sortKey, splitOrder, type Column, type RunsState,
} from '../runs-state';
import { parseFilter, parseOrderBy, quoteFilterValue } from '../../search';
import { searchErrorView, searchProblem, type SearchProblem } from '../search-error-view';
import { deletedMark, lifecycleError, lifecycleNav } from '../lifecycle';
import { nestRuns, type RunRow } from '../run-tree';
import type { ViewType } from '../../validation';

interface Loaded {
  readonly runs: readonly Run[];
  readonly nextPageToken?: string;
}

export async function runsPage(ctx: PageContext, client: TrackingClient, experimentRef: string, query: URLSearchParams): Promise<Html> {
  const experiment = await client.getExperiment(experimentRef);
  const state = readRunsState(query);
  let loaded: Loaded = { runs: [] };
  let problem: SearchProblem | undefined;
  let orderProblem: SearchProblem | undefined;
  try {
    const search = {
      experiments: [experiment.experimentId],
      filter: state.filter.trim() === '' ? undefined : state.filter,
      orderBy: state.order ? [state.order] : undefined,
      viewType: state.lifecycle,
    };
    // The total is counted by a second request (countUrl) once the page is shown: over 100k runs a count
    // costs more than the page itself.
    const pageOfRuns = await client.searchRuns({ ...search, maxResults: state.size, pageToken: state.pageToken || undefined });
    loaded = { runs: pageOfRuns.runs, nextPageToken: pageOfRuns.nextPageToken };
  } catch (err) {
    const p = searchProblem(err);
    if (!p) throw err;
    // The store names neither part in some messages (an unknown key), so each is parsed alone to tell; the
    // filter is parsed first (as the store does), so a bad filter is reported as one whatever the order.
    const filterParses = !state.filter.trim() || parses(() => parseFilter(state.filter));
    if (state.order && filterParses && (/order_by/i.test(p.message) || !parses(() => parseOrderBy(state.order)))) orderProblem = p;
    else problem = p;
  }
  const columns = state.columns ?? defaultColumns(loaded.runs);
  const rows = nestRuns(loaded.runs);
  const parents = await parentLabels(client, experiment.experimentId, rows);
  const deleted = experiment.lifecycleStage === 'deleted';
  const none = deleted && state.lifecycle === 'active'
    ? html`Its runs are hidden while it is deleted. <a href="${runsHref(experiment.experimentId, state, { lifecycle: 'all' })}">Show its runs</a>`
    : state.filter ? `No ${state.lifecycle === 'deleted' ? 'deleted ' : ''}runs match this filter.`
      : state.lifecycle === 'deleted' ? 'No deleted runs in this experiment.'
        : 'No runs in this experiment yet. Start one with tracklab.startRun() in a notebook.';
  const body = html`
<div class="crumbs"><a href="/">Experiments</a> /</div>
<h1>${experiment.name}</h1>
${deleted ? deletedNotice('This experiment is deleted, with its runs: the experiments list hides it.', `tracklab experiments restore ${experiment.experimentId}`, false) : ''}
${experiment.description ? html`<p class="muted">${experiment.description}</p>` : ''}
${state.badLifecycle !== undefined ? lifecycleError(state.badLifecycle, 'runs') : ''}
<div class="toolbar">
  ${lifecycleNav(state.lifecycle, (v) => runsHref(experiment.experimentId, state, { lifecycle: v }))}
  ${filterForm(experiment, state)}
  ${columnChooser(experiment, state, loaded.runs, columns)}
  <form id="compare" action="/compare" method="get" data-compare><button type="submit" class="primary" data-compare-button>Compare selected</button></form>
</div>
${problem ? searchErrorView(state.filter, problem, 'filter') : ''}
${orderProblem ? searchErrorView(state.order, { ...orderProblem, message: `Cannot sort by "${state.order}": ${orderProblem.message}` }, 'order',
    html`<p><a class="button" href="${runsHref(experiment.experimentId, state, { order: '' })}">Use the default order</a></p>`) : ''}
<div class="banner hidden" data-new-runs></div>
${loaded.runs.length === 0 && !problem && !orderProblem
    ? emptyState(none)
    : loaded.runs.length > 0 ? runsTable(experiment, state, rows, parents, columns) : ''}
${pager(experiment, state, loaded)}`;
  return page(ctx, { title: experiment.name, section: 'experiments', body });
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function stateInputs(state: RunsState, skip: 'filter' | 'cols'): Html {
  return html`${skip !== 'filter' && state.filter ? hidden('filter', state.filter) : ''}${state.order ? hidden('order', state.order) : ''}${
    state.lifecycle !== 'active' ? hidden('lifecycle', state.lifecycle) : ''}${
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

function header(experiment: Experiment, state: RunsState, label: string, key: string | undefined, numeric: boolean, rowspan = 1): Html {
  const cls = numeric ? 'num' : '';
  const span = rowspan > 1 ? html` rowspan="${rowspan}"` : '';
  if (key === undefined) return html`<th class="${cls}"${span}>${label}</th>`;
  const current = splitOrder(state.order);
  const active = current.key === key;
  // First click on a metric sorts high first (DESC); a second click flips.
  const desc = active ? !current.desc : numeric;
  const arrow = active ? (current.desc ? ' ▼' : ' ▲') : '';
  return html`<th class="${cls}"${span} aria-sort="${active ? (current.desc ? 'descending' : 'ascending') : 'none'}"><a href="${runsHref(experiment.experimentId, state, { order: `${key} ${desc ? 'DESC' : 'ASC'}` })}" data-sort="${key}" title="Sort by ${key}">${label}${arrow}</a></th>`;
}

/** Consecutive columns of one kind (params, metrics, tags) under one group heading. */
function groups(columns: readonly Column[]): { name: string; span: number }[] {
  const out: { name: string; span: number }[] = [];
  for (const c of columns) {
    const name = c.kind === 'param' ? 'Params' : c.kind === 'tag' ? 'Tags' : 'Metrics';
    if (out.length && out[out.length - 1].name === name) out[out.length - 1].span++;
    else out.push({ name, span: 1 });
  }
  return out;
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

/** A parent id as the store makes them: a hand-set mlflow.parentRunId tag may hold anything, which is shown as it is. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Names of the parents that rows link to but the page does not hold (one search; an id not found shows as itself). */
async function parentLabels(client: TrackingClient, experimentId: string, rows: readonly RunRow[]): Promise<ReadonlyMap<string, string>> {
  const ids = [...new Set(rows.map((r) => r.parentElsewhere).filter((id): id is string => id !== undefined && SAFE_ID.test(id)))];
  const labels = new Map<string, string>();
  if (ids.length === 0) return labels;
  const { runs } = await client.searchRuns({
    experiments: [experimentId], filter: `attributes.run_id IN (${ids.map(quoteFilterValue).join(', ')})`, maxResults: ids.length, viewType: 'all',
  });
  for (const r of runs) labels.set(r.info.runId, runLabel(r.info));
  return labels;
}

/** The name cell: a fold for a parent row, the run's link, and a link to a parent that is not on the page. */
function nameCell(row: RunRow, childRowIds: readonly string[], parents: ReadonlyMap<string, string>): Html {
  const r = row.run;
  const label = runLabel(r.info);
  const kids = childRowIds.join(' ');
  const fold = row.children > 0
    ? html`<button type="button" class="fold" data-fold="${r.info.runId}" aria-expanded="true" aria-controls="${kids}" aria-label="${row.children} child run${row.children === 1 ? '' : 's'} of ${label}" title="Show or hide its child runs">${row.children}</button>`
    : '';
  const parent = row.parentElsewhere;
  return html`<td class="name depth-${Math.min(row.depth, 6)}">${fold}<a href="/runs/${seg(r.info.runId)}" title="${label}">${label}</a>${r.info.lifecycleStage === 'deleted' ? deletedMark() : ''}${
    parent !== undefined ? html`<div class="parent-of">↳ <a href="/runs/${seg(parent)}" data-parent-link title="Its parent run (not on this page)">${parents.get(parent) ?? parent}</a></div>` : ''}</td>`;
}

function runsTable(experiment: Experiment, state: RunsState, rows: readonly RunRow[], parents: ReadonlyMap<string, string>, columns: readonly Column[]): Html {
  const numeric = (c: Column) => c.kind.startsWith('metric');
  const childRows = new Map<string, string[]>();
  for (const row of rows) if (row.under !== undefined) childRows.set(row.under, [...childRows.get(row.under) ?? [], `run-row-${row.run.info.runId}`]);
  return html`<div class="scroll"><table class="grid runs" data-runs-table data-experiment="${experiment.experimentId}" data-lifecycle="${state.lifecycle}" data-since="${Date.now()}">
<thead><tr><th class="sel" rowspan="2"><input type="checkbox" data-select-all aria-label="Select all runs on this page"></th>
${header(experiment, state, 'Run', 'attributes.run_name', false, 2)}${header(experiment, state, 'Status', 'attributes.status', false, 2)}
${header(experiment, state, 'Started', 'attributes.start_time', false, 2)}<th class="num" rowspan="2">Duration</th>${header(experiment, state, 'User', 'attributes.user_id', false, 2)}
${groups(columns).map((g) => html`<th class="group" colspan="${g.span}">${g.name}</th>`)}</tr>
<tr>${columns.map((c) => header(experiment, state, columnTitle(c), sortKey(c), numeric(c)))}</tr></thead>
<tbody>${rows.map((row) => { const r = row.run; return html`<tr id="run-row-${r.info.runId}" data-run-id="${r.info.runId}" data-status="${r.info.status}" data-lifecycle="${r.info.lifecycleStage}" data-depth="${row.depth}"${
  row.under !== undefined ? html` data-parent="${row.under}"` : ''} class="${r.info.lifecycleStage === 'deleted' ? 'deleted' : ''}">
<td class="sel"><input type="checkbox" name="run" value="${r.info.runId}" form="compare" aria-label="Select ${runLabel(r.info)}"></td>
${nameCell(row, childRows.get(r.info.runId) ?? [], parents)}
<td data-cell="status">${badge(r.info.status)}</td><td class="time" title="${time(r.info.startTime)}">${time(r.info.startTime).slice(0, 16)}</td>
<td class="num" data-cell="duration">${r.info.status === 'RUNNING' ? html`<span class="live-dot"></span>` : ''}${duration(r.info.startTime, r.info.endTime)}</td><td>${r.info.user ?? ''}</td>
${columns.map((c) => html`<td class="${numeric(c) ? 'num' : 'val'}" data-col="${columnId(c)}" title="${cellValue(r, c)}">${cellValue(r, c)}</td>`)}
</tr>`; })}</tbody></table></div>`;
}

/** Where the browser asks for the number of runs of an experiment (and filter and lifecycle). */
export function countUrl(experimentId: string, filter: string, lifecycle: ViewType = 'active'): string {
  const q = new URLSearchParams({ experiment: experimentId });
  if (filter.trim()) q.set('filter', filter);
  if (lifecycle !== 'active') q.set('lifecycle', lifecycle);
  return `/ui-api/count?${q.toString()}`;
}

function pager(experiment: Experiment, state: RunsState, loaded: Loaded): Html {
  if (loaded.runs.length === 0) return html``;
  const from = (state.page - 1) * state.size + 1;
  const to = from + loaded.runs.length - 1;
  return html`<div class="pager" data-pager data-page-size="${state.size}" data-page="${state.page}"><span>Runs ${from.toLocaleString('en')}–${to.toLocaleString('en')}<span data-count-url="${countUrl(experiment.experimentId, state.filter, state.lifecycle)}" data-count-format="pager"></span> · page ${state.page}</span>
${state.page > 1 ? html`<a class="button" href="${runsHref(experiment.experimentId, state)}">« First</a>` : ''}
${loaded.nextPageToken ? html`<a class="button" rel="next" href="${runsHref(experiment.experimentId, state, { pageToken: loaded.nextPageToken, page: state.page + 1 })}">Next »</a>` : ''}</div>`;
}
