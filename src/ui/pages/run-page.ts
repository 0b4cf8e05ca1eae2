/** One run: overview, note and tags (editable), params, a chart per metric, cells, datasets, family, artifacts. */
import type { CellRecord, Run, RunInput } from '../../entities';
import type { TrackingClient } from '../../tracking/client';
import { formatDuration, formatNumber } from '../../views/format';
import { html, seg, type Html } from '../html';
import { badge, deletedNotice, duration, emptyState, page, runLabel, time, type PageContext } from '../layout';
import { isSystemTag } from '../runs-state';
import { isWrapperRun, SystemTag } from '../../tracking/system-tags';
import { artifactSection } from './artifacts-view';
import { chartControls, readChartState } from '../chart-state';

export const NOTE_TAG = 'tracklab.note';

export async function runPage(ctx: PageContext, client: TrackingClient, runId: string, query: URLSearchParams): Promise<Html> {
  const run = await client.getRun(runId);
  const deleted = run.info.lifecycleStage === 'deleted';
  // The store refuses notes and tags on a deleted run, so its page offers no edits.
  const edits: PageContext = deleted ? { ...ctx, readOnly: true } : ctx;
  const [experiment, cells, inputs, children, artifacts, parent] = await Promise.all([
    client.getExperiment(run.info.experimentId),
    client.listCells(runId),
    client.listInputs(runId),
    client.searchRuns({ experiments: [run.info.experimentId], filter: `attributes.parent_run_id = '${runId}'`, maxResults: 100 }),
    client.listArtifacts(runId),
    run.info.parentRunId ? client.getRun(run.info.parentRunId).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  const chart = readChartState(query);
  const metricKeys = Object.keys(run.data.metrics).sort();
  const body = html`
<div class="crumbs"><a href="/">Experiments</a> / <a href="/experiments/${seg(experiment.experimentId)}">${experiment.name}</a> /</div>
<h1 data-run-name>${runLabel(run.info)}</h1>
${deleted ? deletedNotice('This run is deleted: its experiment\'s table hides it, and it takes no more notes, tags or metrics.', `tracklab runs restore ${run.info.runId}`, true) : ''}
<div data-live-run="${runId}" data-status="${run.info.status}"></div>
<div class="cols2">
<section><h2>Overview</h2>${overview(run, experiment.name, parent)}</section>
<section>${noteSection(edits, run)}${tagSection(edits, run)}</section>
</div>
<h2>Params</h2>${paramsTable(run)}
<h2>Metrics</h2>${metricKeys.length === 0 ? emptyState('No metrics logged yet.') : html`
${metricSummary(run)}${chartControls(chart)}
<div class="cards" data-run-charts="${runId}">${metricKeys.map((k) => chartCard(runId, k))}</div>`}
<h2>Datasets</h2>${datasets(inputs)}
<h2>Child runs</h2>${children.runs.length === 0 ? emptyState('No child runs.') : html`<table class="grid"><thead><tr><th>Run</th><th>Status</th><th>Started</th></tr></thead><tbody>${children.runs.map((c) => html`<tr><td class="name"><a href="/runs/${seg(c.info.runId)}">${runLabel(c.info)}</a></td><td>${badge(c.info.status)}</td><td>${time(c.info.startTime)}</td></tr>`)}</tbody></table>`}
<h2>Notebook cells</h2>${cellsView(cells, run, children.runs.length)}
<h2>Artifacts</h2>${await artifactSection(client, runId, artifacts, query.get('artifact') ?? '')}`;
  // A JSON artifact may be a logged figure, drawn like the metric charts.
  const figure = (query.get('artifact') ?? '').toLowerCase().endsWith('.json');
  return page(ctx, { title: runLabel(run.info), section: 'experiments', body, charts: metricKeys.length > 0 || figure });
}

export function chartCard(runId: string, key: string): Html {
  return html`<div class="card" data-metric="${key}"><div class="chart" data-spec-url="/ui-api/runs/${seg(runId)}/chart?key=${encodeURIComponent(key)}" aria-label="${key} chart"></div></div>`;
}

function overview(run: Run, experimentName: string, parent: Run | undefined): Html {
  const t = run.data.tags;
  const source = t['tracklab.source.name'] ? `${t['tracklab.source.name']}${t['tracklab.source.cell'] ? ` (cell ${t['tracklab.source.cell']})` : ''}` : '';
  const git = t['tracklab.git.commit'] ? `${t['tracklab.git.commit'].slice(0, 12)}${t['tracklab.git.branch'] ? ` on ${t['tracklab.git.branch']}` : ''}${t['tracklab.git.dirty'] === 'true' ? ' (dirty)' : ''}` : '';
  return html`<table class="kv">
<tr><th>Status</th><td><span data-field="status">${badge(run.info.status)}</span>${run.info.statusMessage ? html`<div class="status-message">${run.info.statusMessage}</div>` : ''}</td></tr>
<tr><th>Run id</th><td><code>${run.info.runId}</code></td></tr>
<tr><th>Experiment</th><td><a href="/experiments/${seg(run.info.experimentId)}">${experimentName}</a></td></tr>
<tr><th>Started</th><td>${time(run.info.startTime)}</td></tr>
<tr><th>Ended</th><td data-field="end">${time(run.info.endTime)}</td></tr>
<tr><th>Duration</th><td data-field="duration">${duration(run.info.startTime, run.info.endTime)}</td></tr>
<tr><th>User</th><td>${run.info.user ?? t['tracklab.user'] ?? '—'}</td></tr>
${source ? html`<tr><th>Source</th><td>${source}</td></tr>` : ''}
${git ? html`<tr><th>Git</th><td>${git}</td></tr>` : ''}
${t['tracklab.host'] ? html`<tr><th>Host</th><td>${t['tracklab.host']}</td></tr>` : ''}
<tr><th>Parent run</th><td>${run.info.parentRunId ? html`<a href="/runs/${seg(run.info.parentRunId)}">${parent ? runLabel(parent.info) : run.info.parentRunId}</a>` : '—'}</td></tr>
</table>`;
}

function noteSection(ctx: PageContext, run: Run): Html {
  const note = run.data.tags[NOTE_TAG] ?? '';
  return html`<h2>Note</h2><div class="editable" data-note>
<div class="view" data-note-view>${note || html`<span class="muted">No note.</span>`}</div>
${ctx.readOnly ? '' : html`<details class="edit" data-edit-note><summary class="button">${note ? 'Edit note' : 'Add a note'}</summary>
<form data-change="/ui-api/runs/${seg(run.info.runId)}/note" class="note-form">
<textarea name="text" aria-label="Note" placeholder="What was this run about?">${note}</textarea>
<button type="submit" class="primary">Save note</button> <button type="button" data-cancel>Cancel</button></form></details>`}</div>`;
}

function tagSection(ctx: PageContext, run: Run): Html {
  const entries = Object.entries(run.data.tags).filter(([k]) => k !== NOTE_TAG);
  const user = entries.filter(([k]) => !isSystemTag(k)).sort(([a], [b]) => (a < b ? -1 : 1));
  const system = entries.filter(([k]) => isSystemTag(k)).sort(([a], [b]) => (a < b ? -1 : 1));
  const url = `/ui-api/runs/${seg(run.info.runId)}`;
  return html`<h2>Tags</h2><div class="tags" data-tags>
${user.length === 0 ? html`<span class="muted">No tags.</span>` : user.map(([k, v]) => html`<span class="tag" data-tag="${k}"><b>${k}</b>: ${v}${ctx.readOnly ? '' : html`<button type="button" data-delete="${url}/tag-delete" data-key="${k}" aria-label="Remove tag ${k}">×</button>`}</span>`)}
</div>
${ctx.readOnly ? '' : html`<form class="inline-form" data-change="${url}/tag"><input type="text" name="key" placeholder="key" aria-label="Tag key" required><input type="text" name="value" placeholder="value" aria-label="Tag value"><button type="submit">Add tag</button></form>`}
${system.length ? html`<details><summary class="muted">System tags (${system.length})</summary><table class="kv">${system.map(([k, v]) => html`<tr><th>${k}</th><td>${v.length > 400 ? `${v.slice(0, 400)}…` : v}</td></tr>`)}</table></details>` : ''}`;
}

function paramsTable(run: Run): Html {
  const entries = Object.entries(run.data.params).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return emptyState('No params.');
  return html`<div class="scroll"><table class="grid kvgrid"><thead><tr><th>Param</th><th>Value</th></tr></thead><tbody>${entries.map(([k, v]) => html`<tr><td>${k}</td><td class="val" title="${v}">${v}</td></tr>`)}</tbody></table></div>`;
}

function metricSummary(run: Run): Html {
  const entries = Object.values(run.data.metrics).sort((a, b) => (a.key < b.key ? -1 : 1));
  return html`<div class="scroll"><table class="grid" data-metric-summary><thead><tr><th>Metric</th><th class="num">Last</th><th class="num">Min</th><th class="num">Max</th><th class="num">Points</th><th class="num">Last step</th></tr></thead>
<tbody>${entries.map((m) => html`<tr data-metric-row="${m.key}"><td>${m.key}</td><td class="num" data-m="last">${formatNumber(m.last)}</td><td class="num" data-m="min">${formatNumber(m.min)}</td><td class="num" data-m="max">${formatNumber(m.max)}</td><td class="num" data-m="count">${m.count.toLocaleString('en')}</td><td class="num" data-m="lastStep">${m.lastStep}</td></tr>`)}</tbody></table></div>`;
}

function datasets(inputs: readonly RunInput[]): Html {
  if (inputs.length === 0) return emptyState('No dataset inputs logged (run.logInput(...)).');
  return html`<div class="scroll"><table class="grid"><thead><tr><th>Name</th><th>Context</th><th>Digest</th><th class="num">Rows</th><th>Columns</th><th>Source</th></tr></thead><tbody>
${inputs.map((i) => html`<tr><td>${i.dataset.name}</td><td>${i.context ?? ''}</td><td><code title="${i.dataset.digest}">${i.dataset.digest.slice(0, 12)}</code></td><td class="num">${i.dataset.numRows ?? ''}</td>
<td class="val" title="${(i.dataset.schema ?? []).map((c) => `${c.name}: ${c.type}`).join(', ')}">${(i.dataset.schema ?? []).map((c) => c.name).join(', ')}</td><td class="val" title="${i.dataset.source}">${i.dataset.source}</td></tr>`)}</tbody></table></div>`;
}

function cellsView(cells: readonly CellRecord[], run: Run, childCount: number): Html {
  // `tracklab run` makes this run around a whole notebook or sweep; cells go to the runs it starts. The runs the
  // notebook starts carry its path too (projectTags), so the source type tells the wrapper apart.
  if (cells.length === 0 && isWrapperRun(run.data.tags)) {
    const notebook = run.data.tags[SystemTag.projectNotebook];
    const children = childCount > 0 ? 'the runs it started (Child runs) recorded its cells' : 'it recorded no cells itself';
    return emptyState(notebook
      ? `This run executed the notebook ${notebook} as a whole (tracklab run): ${children}, and the executed notebook is under Artifacts.`
      : `This run wraps the runs tracklab run started: ${children}.`);
  }
  if (cells.length === 0) return emptyState('No notebook cells were recorded on this run (it was not started in a tslab notebook, or auto-capture was off).');
  return html`${cells.map((c) => html`<div class="cell-head">[${c.executionCount ?? ' '}] ${c.status}${c.endTime !== null ? ` · ${formatDuration(c.endTime - c.startTime)}` : ''}${c.error ? html` · <span class="status-message">${c.error}</span>` : ''}</div><pre class="source">${c.source}</pre>`)}`;
}
