/**
 * What each call of tracklab's own API (/api/tracklab/v1, the remote
 * store's) needs under `--auth`, with the same rules as the MLflow routes
 * (route-access.ts): reads need READ on the run's or model's experiment or
 * model, writes EDIT, deletes MANAGE; creating an experiment or a model
 * needs only a signed-in user, who gets MANAGE on it; searches answer only
 * what the user may read. Calls that reach across every experiment
 * (purging deleted runs, listing referenced content) are for users who may
 * do that everywhere; the crash reaper's calls answer an empty list for
 * anyone else, so a remote client of a restricted user keeps working.
 *
 * Arguments arrive checked against their schema (call-schemas-*.ts).
 * A call missing from this table is for admins only.
 */
import type { Experiment, MetricColumns, RunInfo } from '../../entities';
import { isTracklabError } from '../../errors';
import type { RegistryStore } from '../../store/registry-store';
import type { NewModelVersion } from '../../store/registry-store';
import type { TrackingStore } from '../../store/store';
import type { ModelVersion, RegisteredModel } from '../../registry-entities';
import { HttpError } from '../http-error';
import { demand, type Access } from './access';
import { authMsg } from './auth-messages';
import type { Ability } from './permissions';

export interface TracklabCallContext {
  readonly tracking: TrackingStore;
  readonly registry: () => RegistryStore;
  readonly access: Access;
  /** The experiment of a run (RESOURCE_DOES_NOT_EXIST for none), remembered across requests (ApiContext.experimentOfRun). */
  readonly experimentOfRun: (runId: string) => Promise<string>;
  /** Gives the signed-in user MANAGE on what they just created. */
  readonly grant: (kind: 'experiment' | 'registered_model', resource: string) => void;
  readonly renameModel: (from: string, to: string) => void;
  readonly forgetModel: (name: string) => void;
}

/** Checks a call before it runs; what it returns rewrites the answer (a grant, a filtered search) or answers instead of the store. */
export interface CallAuthorization {
  /** Answer this instead of calling the store (a restricted user's crash reaper). */
  readonly answer?: unknown;
  readonly after?: (value: unknown) => unknown;
}

type Rule = (args: readonly unknown[], ctx: TracklabCallContext) => Promise<CallAuthorization | void>;

async function experimentOfRun(ctx: TracklabCallContext, runId: string): Promise<string | undefined> {
  try {
    return await ctx.experimentOfRun(runId);
  } catch (err) {
    if (isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) return undefined; // the store answers 404 itself
    throw err;
  }
}

async function existingExperiment(ctx: TracklabCallContext, idOrName: string): Promise<Experiment | undefined> {
  try {
    return await ctx.tracking.getExperiment(idOrName);
  } catch (err) {
    if (isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
    throw err;
  }
}

async function existingModel(ctx: TracklabCallContext, name: string): Promise<RegisteredModel | undefined> {
  try {
    return await ctx.registry().getRegisteredModel(name);
  } catch (err) {
    if (isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
    throw err;
  }
}

async function onRuns(ctx: TracklabCallContext, runIds: Iterable<string>, ability: Ability): Promise<void> {
  for (const runId of new Set(runIds)) {
    const experimentId = await experimentOfRun(ctx, runId);
    if (experimentId !== undefined) demand(ctx.access, 'experiment', experimentId, ability);
  }
}

const run = (ability: Ability, at = 0): Rule => async (args, ctx) => onRuns(ctx, [args[at] as string], ability);
const experiment = (ability: Ability): Rule => async (args, ctx) => demand(ctx.access, 'experiment', args[0] as string, ability);
const model = (ability: Ability): Rule => async (args, ctx) => demand(ctx.access, 'registered_model', args[0] as string, ability);

const everywhere = (ability: Ability): Rule => async (_args, ctx) => {
  if (!ctx.access.holdsEverywhere(ability)) throw new HttpError(403, 'PERMISSION_DENIED', authMsg.tracklabCallNeedsEverywhere());
};

const reaper: Rule = async (_args, ctx) => (ctx.access.holdsEverywhere('canUpdate') ? undefined : { answer: [] });

/** Reading an experiment found by id or name: READ on the one found (a missing one is the store's 404). */
const readExperiment: Rule = async (args, ctx) => {
  const exp = await existingExperiment(ctx, args[0] as string);
  if (exp !== undefined) demand(ctx.access, 'experiment', exp.experimentId, 'canRead');
};

/** Creating an experiment, or using the one by that name: a new one is the user's (MANAGE); an existing one needs `ability`. */
const experimentByName = (ability: Ability, refAt = 0): Rule => async (args, ctx) => {
  const exp = await existingExperiment(ctx, args[refAt] as string);
  if (exp !== undefined) {
    demand(ctx.access, 'experiment', exp.experimentId, ability);
    return undefined;
  }
  return { after: (value) => { ctx.grant('experiment', experimentIdOf(value)); return value; } };
};

function experimentIdOf(value: unknown): string {
  return (value as Experiment | RunInfo).experimentId;
}

const visibleExperiments: Rule = async (_args, ctx) => ({
  after: (value) => {
    const visible = ctx.access.visible('experiment');
    const page = value as { experiments: readonly Experiment[]; nextOffset: number | null };
    return { ...page, experiments: page.experiments.filter((e) => visible(e.experimentId)) };
  },
});

const searchedExperiments: Rule = async (args, ctx) => {
  for (const id of new Set((args[0] as { experimentIds: readonly string[] }).experimentIds)) demand(ctx.access, 'experiment', id, 'canRead');
};

const visibleModels = (list: 'models' | 'versions'): Rule => async (_args, ctx) => ({
  after: (value) => {
    const visible = ctx.access.visible('registered_model');
    const page = value as Record<string, readonly (RegisteredModel | ModelVersion)[]>;
    return { ...page, [list]: page[list]!.filter((m) => visible(m.name)) };
  },
});

const newModel: Rule = async (args, ctx) => ({
  after: (value) => { ctx.grant('registered_model', (args[0] as { name: string }).name); return value; },
});

/** A new version needs EDIT on its model (or creates the model, then the user's) and READ on the run it comes from. */
const newVersion: Rule = async (args, ctx) => {
  const input = args[0] as NewModelVersion;
  // The version records who signed in, as model-versions/create does: a client's userId (its OS user, or any name it sends) is not trusted.
  if (ctx.access.user !== undefined) (input as { userId?: string | null }).userId = ctx.access.user.username;
  if (input.runId !== null) await onRuns(ctx, [input.runId], 'canRead');
  if (input.createModel === true && (await existingModel(ctx, input.name)) === undefined) {
    return { after: (value) => { ctx.grant('registered_model', input.name); return value; } };
  }
  demand(ctx.access, 'registered_model', input.name, 'canUpdate');
  return undefined;
};

const TRACKING_RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['createExperiment', async (args, ctx) => ({ after: (value) => { ctx.grant('experiment', experimentIdOf(value)); return value; } })],
  ['getExperiment', readExperiment],
  ['ensureExperiment', experimentByName('canRead')],
  ['searchExperiments', visibleExperiments],
  ['updateExperiment', experiment('canUpdate')],
  ['setExperimentTags', experiment('canUpdate')],
  ['setExperimentLifecycle', experiment('canDelete')],
  ['createRun', async (args, ctx) => demand(ctx.access, 'experiment', (args[0] as { experimentId: string }).experimentId, 'canUpdate')],
  ['createRunIn', experimentByName('canUpdate')],
  ['getRun', run('canRead')],
  ['updateRun', run('canUpdate')],
  ['setRunLifecycle', run('canDelete')],
  ['purgeDeletedRuns', everywhere('canDelete')],
  ['logBatch', run('canUpdate')],
  ['searchRuns', searchedExperiments],
  ['countRuns', searchedExperiments],
  ['heartbeat', async (args, ctx) => onRuns(ctx, args[0] as string[], 'canUpdate')],
  ['reapOwners', reaper],
  ['reapCrashedRuns', reaper],
  ['putArtifacts', run('canUpdate')],
  ['listArtifacts', run('canRead')],
  ['referencedBlobs', everywhere('canRead')],
  ['recordCell', async (args, ctx) => onRuns(ctx, [(args[0] as { runId: string }).runId], 'canUpdate')],
  ['listCells', run('canRead')],
  ['logInputs', run('canUpdate')],
  ['listInputs', async (args, ctx) => onRuns(ctx, args[0] as string[], 'canRead')],
]);

const REGISTRY_RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['createRegisteredModel', newModel],
  ['getRegisteredModel', model('canRead')],
  ['renameRegisteredModel', async (args, ctx) => {
    demand(ctx.access, 'registered_model', args[0] as string, 'canUpdate');
    return { after: (value) => { ctx.renameModel(args[0] as string, args[1] as string); return value; } };
  }],
  ['updateRegisteredModel', model('canUpdate')],
  ['deleteRegisteredModel', async (args, ctx) => {
    demand(ctx.access, 'registered_model', args[0] as string, 'canDelete');
    return { after: (value) => { ctx.forgetModel(args[0] as string); return value; } };
  }],
  ['searchRegisteredModels', visibleModels('models')],
  ['createModelVersion', newVersion],
  ['getModelVersion', model('canRead')],
  ['getLatestModelVersion', model('canRead')],
  ['updateModelVersion', model('canUpdate')],
  ['deleteModelVersion', model('canDelete')],
  ['listModelVersionFiles', model('canRead')],
  ['searchModelVersions', visibleModels('versions')],
  ['setAlias', model('canUpdate')],
  ['deleteAlias', model('canDelete')],
  ['getModelVersionByAlias', model('canRead')],
]);

/** Checks one `store/<method>` or `registry/<method>` call for the signed-in user; throws MLflow's 403 when a permission is missing. */
export async function authorizeTracklabCall(group: 'store' | 'registry', method: string, args: readonly unknown[], ctx: TracklabCallContext): Promise<CallAuthorization> {
  if (ctx.access.isAdmin) return {};
  const rule = (group === 'store' ? TRACKING_RULES : REGISTRY_RULES).get(method);
  if (rule === undefined) throw new HttpError(403, 'PERMISSION_DENIED', authMsg.adminOnly());
  return (await rule(args, ctx)) ?? {};
}

/** Appending points (metrics/blocks) needs EDIT on every run's experiment. */
export async function authorizeBlocks(blocks: readonly { readonly runId: string }[], ctx: TracklabCallContext): Promise<void> {
  if (!ctx.access.isAdmin) await onRuns(ctx, blocks.map((b) => b.runId), 'canUpdate');
}

/** Reading metric history needs READ on every run's experiment. */
export async function authorizeHistory(runIds: readonly string[], ctx: TracklabCallContext): Promise<void> {
  if (!ctx.access.isAdmin) await onRuns(ctx, runIds, 'canRead');
}
