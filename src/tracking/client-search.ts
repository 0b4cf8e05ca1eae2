/**
 * The search and export operations of TrackingClient. Filters are parsed
 * here (once, at the top); the store only sees the parsed form.
 */
import type { Table } from 'apache-arrow';
import type { Experiment, Run } from '../entities';
import { msg } from '../messages';
import { TracklabError } from '../errors';
import { parseExperimentFilter, parseExperimentOrderBy } from '../search/experiment-filter';
import { parseFilter } from '../search/filter-parser';
import { parseOrderBy } from '../search/order-by';
import { createPageToken, readPageToken } from '../search/page-token';
import { validateExperimentRef, validateKey, validateMaxResults, validateViewType, type ViewType } from '../validation';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { ClientCore } from './client-core';
import { getExperiment } from './client-experiments';
import { metricHistory } from './client-runs';

export interface SearchRunsOptions {
  /** Experiment names or ids. Default: every active experiment. */
  readonly experiments?: string | readonly string[];
  /** MLflow filter, plus OR and parentheses: `metrics.acc > 0.9 AND params.opt = 'adam'`. */
  readonly filter?: string;
  /** Clauses like `metrics.acc DESC`; default `start_time DESC`. */
  readonly orderBy?: string | readonly string[];
  /** Page size, 1–50,000. Default 1,000. */
  readonly maxResults?: number;
  readonly pageToken?: string;
  /** Lifecycle stage of runs to return. Default "active". */
  readonly viewType?: ViewType;
}

export interface SearchExperimentsOptions {
  readonly filter?: string;
  readonly orderBy?: string | readonly string[];
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly viewType?: ViewType;
}

/** What `exportArrow` writes: the history of these runs, or of the runs a search finds. */
export type ExportQuery =
  | { readonly runIds: string | readonly string[]; readonly keys?: readonly string[] }
  | (SearchRunsOptions & { readonly keys?: readonly string[] });

const SEARCH_RUNS_OPTIONS: OptionNames<SearchRunsOptions> = {
  experiments: true, filter: true, orderBy: true, maxResults: true, pageToken: true, viewType: true,
};
const COUNT_RUNS_OPTIONS: OptionNames<Pick<SearchRunsOptions, 'experiments' | 'filter' | 'viewType'>> = { experiments: true, filter: true, viewType: true };
const SEARCH_EXPERIMENTS_OPTIONS: OptionNames<SearchExperimentsOptions> = { filter: true, orderBy: true, maxResults: true, pageToken: true, viewType: true };

export async function runSearch(core: ClientCore, options: SearchRunsOptions): Promise<{ runs: readonly Run[]; nextPageToken?: string }> {
  validateOptionNames('searchRuns()', options, SEARCH_RUNS_OPTIONS);
  const { maxResults, viewType } = pageOptions(options);
  const filter = options.filter === undefined ? undefined : parseFilter(options.filter);
  const orderBy = parseOrderBy(options.orderBy);
  const experimentIds = await experimentIdsOf(core, options.experiments);
  const identity = { experiments: experimentIds, filter: options.filter ?? '', orderBy: options.orderBy ?? [], viewType };
  const offset = readPageToken(options.pageToken, identity);
  const page = await core.call('search runs', (s) => s.searchRuns({
    experimentIds, filter, orderBy, maxResults, offset, lifecycle: viewType,
  }));
  return page.nextOffset === null
    ? { runs: page.runs }
    : { runs: page.runs, nextPageToken: createPageToken(page.nextOffset, identity) };
}

export async function runCount(core: ClientCore, options: Pick<SearchRunsOptions, 'experiments' | 'filter' | 'viewType'>): Promise<number> {
  validateOptionNames('countRuns()', options, COUNT_RUNS_OPTIONS);
  const viewType = options.viewType ?? 'active';
  validateViewType(viewType);
  const filter = options.filter === undefined ? undefined : parseFilter(options.filter);
  const experimentIds = await experimentIdsOf(core, options.experiments);
  const counted = await core.call('count runs', async (s) => s.countRuns ? s.countRuns({ experimentIds, filter, lifecycle: viewType }) : undefined);
  if (counted !== undefined) return counted;
  let n = 0;
  let offset: number | null = 0;
  while (offset !== null) {
    const from: number = offset;
    const page = await core.call('count runs', (s) => s.searchRuns({ experimentIds, filter, orderBy: [], maxResults: 50000, offset: from, lifecycle: viewType }));
    n += page.runs.length;
    offset = page.nextOffset;
  }
  return n;
}

export async function experimentSearch(core: ClientCore, options: SearchExperimentsOptions): Promise<{ experiments: readonly Experiment[]; nextPageToken?: string }> {
  validateOptionNames('searchExperiments()', options, SEARCH_EXPERIMENTS_OPTIONS);
  const { maxResults, viewType } = pageOptions(options);
  const filter = options.filter === undefined ? undefined : parseExperimentFilter(options.filter);
  const orderBy = parseExperimentOrderBy(options.orderBy);
  const identity = { filter: options.filter ?? '', orderBy: options.orderBy ?? [], viewType };
  const offset = readPageToken(options.pageToken, identity);
  const page = await core.call('search experiments', (s) => s.searchExperiments({ filter, orderBy, maxResults, offset, lifecycle: viewType }));
  return page.nextOffset === null
    ? { experiments: page.experiments }
    : { experiments: page.experiments, nextPageToken: createPageToken(page.nextOffset, identity) };
}

/** Page size and lifecycle of a search, defaulted and validated. */
function pageOptions(options: { readonly maxResults?: number; readonly viewType?: ViewType }): { maxResults: number; viewType: ViewType } {
  const maxResults = options.maxResults ?? 1000;
  validateMaxResults(maxResults);
  const viewType = options.viewType ?? 'active';
  validateViewType(viewType);
  return { maxResults, viewType };
}

/** Ids of the named experiments, or of every active one. Unknown names throw RESOURCE_DOES_NOT_EXIST. */
async function experimentIdsOf(core: ClientCore, refs: string | readonly string[] | undefined): Promise<string[]> {
  if (refs !== undefined) {
    const list = typeof refs === 'string' ? [refs] : refs;
    if (!Array.isArray(list)) throw new TracklabError('INVALID_PARAMETER_VALUE', msg.experimentIdBad(refs));
    list.forEach((r) => validateExperimentRef(r));
    const ids: string[] = [];
    for (const ref of list) ids.push(core.experimentIds.get(ref) ?? (await getExperiment(core, ref)).experimentId);
    return [...new Set(ids)];
  }
  const ids: string[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const from: number = offset;
    const page = await core.call('list experiments', (s) => s.searchExperiments({ orderBy: [], maxResults: 50000, offset: from, lifecycle: 'active' }));
    for (const e of page.experiments) ids.push(e.experimentId);
    offset = page.nextOffset;
  }
  return ids;
}

export async function exportHistory(core: ClientCore, file: string, query: ExportQuery): Promise<void> {
  // Run ids are validated by metricHistory; keys are checked here too so a bad key fails before a search.
  query.keys?.forEach((k) => validateKey('Metric', k));
  let runIds: string | readonly string[];
  if ('runIds' in query) {
    runIds = query.runIds;
  } else {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const { keys: _keys, ...search } = query;
      const page = await runSearch(core, { ...search, maxResults: search.maxResults ?? 50000, pageToken });
      for (const r of page.runs) ids.push(r.info.runId);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    runIds = ids;
  }
  const table = await metricHistory(core, runIds, query.keys);
  const { writeArrowFile } = require('../metrics/arrow-export') as typeof import('../metrics/arrow-export');
  await writeArrowFile(file, table);
}

/** Search results as an Arrow table: one row per run, one column per param and metric. */
export async function searchRunsArrow(core: ClientCore, options: SearchRunsOptions): Promise<Table> {
  const { runs } = await runSearch(core, options);
  return (require('../metrics/arrow-runs') as typeof import('../metrics/arrow-runs')).runsTable(runs);
}
