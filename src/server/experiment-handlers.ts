/**
 * MLflow's experiment endpoints (service.proto: CreateExperiment,
 * GetExperiment, GetExperimentByName, SearchExperiments, UpdateExperiment,
 * DeleteExperiment, RestoreExperiment, SetExperimentTag), over the store.
 */
import type { Experiment } from '../entities';
import { TracklabError, isTracklabError } from '../errors';
import { parseExperimentFilter, parseExperimentOrderBy } from '../search/experiment-filter';
import { createPageToken, readPageToken } from '../search/page-token';
import { stringifyTag, validateExperimentName, validateKey, validateMaxResults } from '../validation';
import type { ApiContext, ApiHandler } from './api-context';
import { experimentJson, NOTE_TAG, ViewType } from './mlflow-json';
import { serverMsg } from './messages';
import type { RequestFields } from './request-fields';

/** MLflow's default experiment id; tracklab's default experiment is the one named "Default". */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** The experiment with exactly this id (the store also finds names, which this endpoint must not). */
export async function experimentById(ctx: ApiContext, id: string): Promise<Experiment> {
  try {
    const exp = await ctx.call('read the experiment', (s) => s.getExperiment(id));
    if (exp.experimentId === id) return exp;
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
  }
  if (id === DEFAULT_EXPERIMENT_ID) return ctx.call('create the default experiment', (s) => s.ensureExperiment(DEFAULT_EXPERIMENT_NAME));
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.experimentNotFound(id));
}

/** Experiment tags of a request, as a record (the last of a repeated key wins, as in MLflow). */
export function tagRecord(fields: RequestFields, name = 'tags'): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const tag of fields.messages(name)) {
    const key = tag.string('key', true);
    validateKey('Tag', key);
    out[key] = stringifyTag(key, tag.string('value') ?? '');
  }
  return out;
}

const createExperiment: ApiHandler = async (ctx, fields) => {
  const name = fields.string('name', true);
  validateExperimentName(name);
  fields.string('artifact_location'); // accepted for compatibility: artifacts always go to the server's destination
  const tags = tagRecord(fields);
  const description = tags[NOTE_TAG];
  delete tags[NOTE_TAG];
  const exp = await ctx.call('create the experiment', (s) => s.createExperiment({ name, description, tags: { ...tags } }));
  return { experiment_id: exp.experimentId };
};

const getExperiment: ApiHandler = async (ctx, fields) => {
  return { experiment: experimentJson(await experimentById(ctx, fields.string('experiment_id', true))) };
};

const getExperimentByName: ApiHandler = async (ctx, fields) => {
  const name = fields.string('experiment_name', true);
  let exp: Experiment | undefined;
  try {
    exp = await ctx.call('read the experiment', (s) => s.getExperiment(name));
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
  }
  if (exp === undefined || exp.name !== name) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', serverMsg.experimentNameNotFound(name));
  return { experiment: experimentJson(exp) };
};

export function lifecycleOf(view: ViewType | undefined): 'active' | 'deleted' | 'all' {
  return view === 'DELETED_ONLY' ? 'deleted' : view === 'ALL' ? 'all' : 'active';
}

const searchExperiments: ApiHandler = async (ctx, fields) => {
  const maxResults = fields.int64('max_results') ?? 1000;
  validateMaxResults(maxResults);
  const filterText = fields.string('filter') ?? '';
  const orderText = fields.strings('order_by');
  const lifecycle = lifecycleOf(fields.enumName('view_type', ViewType));
  const filter = filterText === '' ? undefined : parseExperimentFilter(filterText);
  const orderBy = parseExperimentOrderBy(orderText);
  const identity = { filter: filterText, orderBy: orderText, viewType: lifecycle };
  const offset = readPageToken(fields.string('page_token'), identity);
  const page = await ctx.call('search experiments', (s) => s.searchExperiments({ filter, orderBy, maxResults, offset, lifecycle }));
  const out: Record<string, unknown> = {};
  if (page.experiments.length > 0) out.experiments = page.experiments.map(experimentJson);
  if (page.nextOffset !== null) out.next_page_token = createPageToken(page.nextOffset, identity);
  return out;
};

const updateExperiment: ApiHandler = async (ctx, fields) => {
  const exp = await experimentById(ctx, fields.string('experiment_id', true));
  const name = fields.string('new_name', true);
  validateExperimentName(name);
  await ctx.call('rename the experiment', (s) => s.updateExperiment(exp.experimentId, { name }));
  return {};
};

const deleteExperiment: ApiHandler = async (ctx, fields) => {
  const exp = await experimentById(ctx, fields.string('experiment_id', true));
  await ctx.call('delete the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'deleted'));
  return {};
};

const restoreExperiment: ApiHandler = async (ctx, fields) => {
  const exp = await experimentById(ctx, fields.string('experiment_id', true));
  await ctx.call('restore the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'active'));
  return {};
};

const setExperimentTag: ApiHandler = async (ctx, fields) => {
  const exp = await experimentById(ctx, fields.string('experiment_id', true));
  const key = fields.string('key', true);
  validateKey('Tag', key);
  const value = stringifyTag(key, fields.string('value') ?? '');
  if (key === NOTE_TAG) {
    await ctx.call('describe the experiment', (s) => s.updateExperiment(exp.experimentId, { description: value }));
  } else {
    await ctx.call('tag the experiment', (s) => s.setExperimentTags(exp.experimentId, { [key]: value }));
  }
  return {};
};

export const experimentHandlers = {
  createExperiment, getExperiment, getExperimentByName, searchExperiments,
  updateExperiment, deleteExperiment, restoreExperiment, setExperimentTag,
} as const;
