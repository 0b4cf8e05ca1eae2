/**
 * What each MLflow route needs, as in MLflow's basic-auth app
 * (BEFORE_REQUEST_HANDLERS): runs, metric histories and artifacts take
 * their experiment's permission, model versions their registered model's.
 * Creating an experiment or a model needs only a signed-in user, who then
 * gets MANAGE on it; searches return only what the user may read.
 *
 * A route missing from this table is for admins only, so an endpoint added
 * later is closed until someone decides who may call it.
 */
import { isTracklabError } from '../../errors';
import type { ApiContext } from '../api-context';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME } from '../experiment-handlers';
import type { RequestFields } from '../request-fields';
import { runIdOf } from '../run-id-field';
import { demand, type Access } from './access';
import type { Ability } from './permissions';

/** Checks a request's fields against the user's permissions; throws a 403 HttpError when one is missing. */
export type Check = (ctx: ApiContext, fields: RequestFields, access: Access) => Promise<void>;

/** A search whose results are filtered to what the user may read. */
export interface FilteredSearch {
  readonly list: string;
  readonly kind: 'experiment' | 'registered_model';
  readonly idOf: (item: Record<string, unknown>) => string;
  readonly defaultMaxResults: number;
}

export interface RouteAccess {
  readonly check: Check;
  readonly filter?: FilteredSearch;
  /** After a 200 answer: grants and renames that follow the change. */
  readonly after?: (fields: RequestFields, body: Record<string, unknown>, access: Access) => void;
}

/** The experiment a request's experiment id stands for ("0" is MLflow's default experiment, tracklab's "Default"). */
export async function experimentKey(ctx: ApiContext, id: string): Promise<string> {
  if (id !== DEFAULT_EXPERIMENT_ID) return id;
  try {
    const exp = await ctx.call('read the default experiment', (s) => s.getExperiment(DEFAULT_EXPERIMENT_NAME));
    return exp.name === DEFAULT_EXPERIMENT_NAME ? exp.experimentId : id;
  } catch (err) {
    if (isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) return id;
    throw err;
  }
}

/** The experiment of a run; undefined when there is no such run (the endpoint then answers 404 itself). */
async function experimentOfRun(ctx: ApiContext, runId: string): Promise<string | undefined> {
  try {
    return await ctx.experimentOfRun(runId);
  } catch (err) {
    if (isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
    throw err;
  }
}

const signedIn: Check = async () => undefined;

const onExperiment = (ability: Ability): Check => async (ctx, f, access) => {
  demand(access, 'experiment', await experimentKey(ctx, f.string('experiment_id') ?? DEFAULT_EXPERIMENT_ID), ability);
};

const onExperimentNamed: Check = async (ctx, f, access) => {
  const name = f.string('experiment_name', true);
  try {
    const exp = await ctx.call('read the experiment', (s) => s.getExperiment(name));
    if (exp.name === name) demand(access, 'experiment', exp.experimentId, 'canRead');
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
  }
};

const onRun = (ability: Ability): Check => async (ctx, f, access) => {
  const experimentId = await experimentOfRun(ctx, runIdOf(f));
  if (experimentId !== undefined) demand(access, 'experiment', experimentId, ability);
};

const onRuns: Check = async (ctx, f, access) => {
  for (const runId of new Set(f.strings('run_ids'))) {
    const experimentId = await experimentOfRun(ctx, runId);
    if (experimentId !== undefined) demand(access, 'experiment', experimentId, 'canRead');
  }
};

const onExperiments: Check = async (ctx, f, access) => {
  for (const id of new Set(f.strings('experiment_ids'))) demand(access, 'experiment', await experimentKey(ctx, id), 'canRead');
};

const onModel = (ability: Ability): Check => async (_ctx, f, access) => {
  demand(access, 'registered_model', f.string('name', true), ability);
};

/** A new version needs EDIT on its model and READ on the run it comes from. */
const onNewVersion: Check = async (ctx, f, access) => {
  demand(access, 'registered_model', f.string('name', true), 'canUpdate');
  const runId = f.string('run_id');
  if (runId) await onRun('canRead')(ctx, f, access);
};

const experimentSearch: FilteredSearch = { list: 'experiments', kind: 'experiment', idOf: (e) => String(e.experiment_id), defaultMaxResults: 1000 };
const modelSearch: FilteredSearch = { list: 'registered_models', kind: 'registered_model', idOf: (m) => String(m.name), defaultMaxResults: 100 };
const versionSearch: FilteredSearch = { list: 'model_versions', kind: 'registered_model', idOf: (v) => String(v.name), defaultMaxResults: 1000 };

type Grants = { grant(kind: 'experiment' | 'registered_model', resource: string, access: Access): void; renameModel(from: string, to: string): void; forgetModel(name: string): void };

/** Route key: `<METHOD> <path below /api/2.0/mlflow/>`. */
export function routeAccessTable(grants: Grants): ReadonlyMap<string, RouteAccess> {
  const r = (check: Check, more: Omit<RouteAccess, 'check'> = {}): RouteAccess => ({ check, ...more });
  return new Map<string, RouteAccess>([
    ['POST experiments/create', r(signedIn, { after: (_f, body, access) => grants.grant('experiment', String(body.experiment_id), access) })],
    ['GET experiments/get', r(onExperiment('canRead'))],
    ['GET experiments/get-by-name', r(onExperimentNamed)],
    ['GET experiments/search', r(signedIn, { filter: experimentSearch })],
    ['POST experiments/search', r(signedIn, { filter: experimentSearch })],
    ['POST experiments/update', r(onExperiment('canUpdate'))],
    ['POST experiments/delete', r(onExperiment('canDelete'))],
    ['POST experiments/restore', r(onExperiment('canDelete'))],
    ['POST experiments/set-experiment-tag', r(onExperiment('canUpdate'))],
    ['POST runs/create', r(onExperiment('canUpdate'))],
    ['GET runs/get', r(onRun('canRead'))],
    ['POST runs/update', r(onRun('canUpdate'))],
    ['POST runs/delete', r(onRun('canDelete'))],
    ['POST runs/restore', r(onRun('canDelete'))],
    ['POST runs/search', r(onExperiments)],
    ['POST runs/log-metric', r(onRun('canUpdate'))],
    ['POST runs/log-parameter', r(onRun('canUpdate'))],
    ['POST runs/set-tag', r(onRun('canUpdate'))],
    ['POST runs/delete-tag', r(onRun('canUpdate'))],
    ['POST runs/log-batch', r(onRun('canUpdate'))],
    ['POST runs/log-inputs', r(onRun('canUpdate'))],
    ['GET artifacts/list', r(onRun('canRead'))],
    ['GET metrics/get-history', r(onRun('canRead'))],
    ['GET metrics/get-history-bulk-interval', r(onRuns)],

    ['POST registered-models/create', r(signedIn, { after: (f, _body, access) => grants.grant('registered_model', f.string('name', true), access) })],
    ['GET registered-models/get', r(onModel('canRead'))],
    ['POST registered-models/rename', r(onModel('canUpdate'), { after: (f) => grants.renameModel(f.string('name', true), f.string('new_name', true)) })],
    ['PATCH registered-models/update', r(onModel('canUpdate'))],
    ['DELETE registered-models/delete', r(onModel('canDelete'), { after: (f) => grants.forgetModel(f.string('name', true)) })],
    ['GET registered-models/search', r(signedIn, { filter: modelSearch })],
    ['GET registered-models/get-latest-versions', r(onModel('canRead'))],
    ['POST registered-models/get-latest-versions', r(onModel('canRead'))],
    ['POST registered-models/set-tag', r(onModel('canUpdate'))],
    ['DELETE registered-models/delete-tag', r(onModel('canUpdate'))],
    ['POST registered-models/alias', r(onModel('canUpdate'))],
    ['DELETE registered-models/alias', r(onModel('canDelete'))],
    ['GET registered-models/alias', r(onModel('canRead'))],
    ['POST model-versions/create', r(onNewVersion)],
    ['GET model-versions/get', r(onModel('canRead'))],
    ['PATCH model-versions/update', r(onModel('canUpdate'))],
    ['DELETE model-versions/delete', r(onModel('canDelete'))],
    ['GET model-versions/search', r(signedIn, { filter: versionSearch })],
    ['GET model-versions/get-download-uri', r(onModel('canRead'))],
    ['POST model-versions/set-tag', r(onModel('canUpdate'))],
    ['DELETE model-versions/delete-tag', r(onModel('canDelete'))],
  ]);
}
