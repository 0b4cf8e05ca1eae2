/**
 * MLflow's SearchRuns over tracklab's search compiler: MLflow's filter
 * grammar (tracklab also takes OR and parentheses), order_by clauses, pages
 * through opaque tokens bound to the query. Experiment "0" is MLflow's
 * default experiment: it means tracklab's "Default" when that exists.
 */
import type { RunInput } from '../entities';
import { isTracklabError } from '../errors';
import { parseFilter } from '../search/filter-parser';
import { parseOrderBy } from '../search/order-by';
import { createPageToken, readPageToken } from '../search/page-token';
import { validateMaxResults } from '../validation';
import type { ApiContext, ApiHandler } from './api-context';
import { ApiLimits } from './api-limits';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, lifecycleOf } from './experiment-handlers';
import { ViewType, runJson } from './mlflow-json';

async function searchableIds(ctx: ApiContext, ids: readonly string[]): Promise<string[]> {
  if (!ids.includes(DEFAULT_EXPERIMENT_ID)) return [...ids];
  let defaultId: string | undefined;
  try {
    const exp = await ctx.call('read the default experiment', (s) => s.getExperiment(DEFAULT_EXPERIMENT_NAME));
    if (exp.name === DEFAULT_EXPERIMENT_NAME) defaultId = exp.experimentId;
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
  }
  return ids.map((id) => (id === DEFAULT_EXPERIMENT_ID && defaultId !== undefined ? defaultId : id));
}

export const searchRuns: ApiHandler = async (ctx, fields) => {
  const requestedIds = fields.strings('experiment_ids');
  const filterText = fields.string('filter') ?? '';
  const orderText = fields.strings('order_by');
  const maxResults = fields.int64('max_results') ?? ApiLimits.searchDefaultResults;
  validateMaxResults(maxResults);
  const lifecycle = lifecycleOf(fields.enumName('run_view_type', ViewType));
  const filter = filterText === '' ? undefined : parseFilter(filterText);
  const orderBy = parseOrderBy(orderText);
  const experimentIds = await searchableIds(ctx, requestedIds);
  const identity = { experiments: experimentIds, filter: filterText, orderBy: orderText, viewType: lifecycle };
  const offset = readPageToken(fields.string('page_token'), identity);
  const page = await ctx.call('search runs', (s) => s.searchRuns({ experimentIds, filter, orderBy, maxResults, offset, lifecycle }));
  const out: Record<string, unknown> = {};
  if (page.runs.length > 0) {
    const inputs = await ctx.call('list the dataset inputs', (s) => s.listInputs(page.runs.map((r) => r.info.runId)));
    const byRun = new Map<string, RunInput[]>();
    for (const input of inputs) {
      const list = byRun.get(input.runId);
      if (list === undefined) byRun.set(input.runId, [input]);
      else list.push(input);
    }
    out.runs = page.runs.map((run) => runJson(run, byRun.get(run.info.runId)));
  }
  if (page.nextOffset !== null) out.next_page_token = createPageToken(page.nextOffset, identity);
  return out;
};
