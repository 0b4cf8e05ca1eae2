/** Every active experiment with its run count (counted by a request of its own) and last activity. */
import type { TrackingClient } from '../../tracking/client';
import { html, seg, type Html } from '../html';
import { emptyState, page, time, type PageContext } from '../layout';
import { countUrl } from './runs-page';

export async function experimentsPage(ctx: PageContext, client: TrackingClient): Promise<Html> {
  const { experiments } = await client.searchExperiments({ maxResults: 1000, orderBy: ['last_update_time DESC'] });
  const rows = await Promise.all(experiments.map(async (e) => {
    const newest = await client.searchRuns({ experiments: [e.experimentId], maxResults: 1 });
    const last = newest.runs[0];
    const activity = Math.max(e.lastUpdateTime, last ? (last.info.endTime ?? last.info.startTime) : 0);
    return { e, activity };
  }));
  rows.sort((a, b) => b.activity - a.activity);
  const body = html`<h1>Experiments</h1>
${rows.length === 0 ? emptyState('No experiments yet. Runs started with tracklab.startRun() land in "Default" or the experiment you name.') : html`
<div class="scroll"><table class="grid" data-experiments>
<thead><tr><th>Name</th><th class="num">Runs</th><th>Last activity</th><th>Created</th><th>Description</th></tr></thead>
<tbody>${rows.map(({ e, activity }) => html`<tr>
<td class="name"><a href="/experiments/${seg(e.experimentId)}" title="${e.name}">${e.name}</a></td>
<td class="num" data-count-url="${countUrl(e.experimentId, '')}">…</td><td>${time(activity)}</td><td>${time(e.creationTime)}</td>
<td class="val" title="${e.description ?? ''}">${e.description ?? ''}</td></tr>`)}</tbody></table></div>`}`;
  return page(ctx, { title: 'Experiments', section: 'experiments', body });
}
