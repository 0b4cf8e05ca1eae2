/** The experiments (active, deleted or all) with their run counts (counted by a request of their own) and last activity. */
import type { TrackingClient } from '../../tracking/client';
import type { ViewType } from '../../validation';
import { href, html, seg, type Html } from '../html';
import { emptyState, page, time, type PageContext } from '../layout';
import { deletedMark, lifecycleError, lifecycleNav, readLifecycle } from '../lifecycle';
import { countUrl } from './runs-page';

const NONE: Readonly<Record<ViewType, string>> = {
  active: 'No experiments yet. Runs started with tracklab.startRun() land in "Default" or the experiment you name.',
  deleted: 'No deleted experiments.',
  all: 'No experiments yet. Runs started with tracklab.startRun() land in "Default" or the experiment you name.',
};

export async function experimentsPage(ctx: PageContext, client: TrackingClient, query: URLSearchParams): Promise<Html> {
  const lifecycle = readLifecycle(query);
  const { experiments } = await client.searchExperiments({ maxResults: 1000, orderBy: ['last_update_time DESC'], viewType: lifecycle.viewType });
  const rows = await Promise.all(experiments.map(async (e) => {
    // Deleting an experiment deletes its runs with it, so a deleted one's runs are read and counted whatever their stage.
    const runs: ViewType = e.lifecycleStage === 'deleted' ? 'all' : 'active';
    const newest = await client.searchRuns({ experiments: [e.experimentId], maxResults: 1, viewType: runs });
    const last = newest.runs[0];
    const activity = Math.max(e.lastUpdateTime, last ? (last.info.endTime ?? last.info.startTime) : 0);
    return { e, activity, runs };
  }));
  rows.sort((a, b) => b.activity - a.activity);
  const body = html`<h1>Experiments</h1>
${lifecycle.bad !== undefined ? lifecycleError(lifecycle.bad, 'experiments') : ''}
<div class="toolbar">${lifecycleNav(lifecycle.viewType, (v) => href('/', { lifecycle: v === 'active' ? undefined : v }))}</div>
${rows.length === 0 ? emptyState(NONE[lifecycle.viewType]) : html`
<div class="scroll"><table class="grid" data-experiments>
<thead><tr><th>Name</th><th class="num">Runs</th><th>Last activity</th><th>Created</th><th>Description</th></tr></thead>
<tbody>${rows.map(({ e, activity, runs }) => html`<tr data-lifecycle="${e.lifecycleStage}" class="${e.lifecycleStage === 'deleted' ? 'deleted' : ''}">
<td class="name"><a href="/experiments/${seg(e.experimentId)}" title="${e.name}">${e.name}</a>${e.lifecycleStage === 'deleted' ? deletedMark() : ''}</td>
<td class="num" data-count-url="${countUrl(e.experimentId, '', runs)}">…</td><td>${time(activity)}</td><td>${time(e.creationTime)}</td>
<td class="val" title="${e.description ?? ''}">${e.description ?? ''}</td></tr>`)}</tbody></table></div>`}`;
  return page(ctx, { title: 'Experiments', section: 'experiments', body });
}
