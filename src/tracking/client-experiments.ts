/**
 * The experiment operations of TrackingClient, and how a client resolves the
 * experiment a run names: by id or name, created by name when missing, and
 * remembered until an experiment is renamed or deleted.
 */
import type { Experiment } from '../entities';
import { TracklabError, isTracklabError } from '../errors';
import { msg } from '../messages';
import {
  stringifyTag, validateExperimentDescription, validateExperimentName, validateExperimentRef, validateTagKey, validateTags,
} from '../validation';
import type { TrackingClient } from './client';
import { asTracklabError } from './client-errors';

/** Experiment ids by the name or id they were resolved from. */
export type ExperimentIds = Map<string, string>;

export async function createExperiment(client: TrackingClient, name: string, options: { description?: string; tags?: Readonly<Record<string, unknown>> }): Promise<Experiment> {
  validateExperimentName(name);
  validateExperimentDescription(options.description);
  const tags = options.tags === undefined ? undefined : validateTags(options.tags, 'experiment');
  return client.call('create the experiment', (s) => s.createExperiment({ name, description: options.description, tags }));
}

export async function getExperiment(client: TrackingClient, idOrName: string): Promise<Experiment> {
  validateExperimentRef(idOrName);
  return client.call('read the experiment', (s) => s.getExperiment(idOrName));
}

export async function renameExperiment(client: TrackingClient, ids: ExperimentIds, idOrName: string, newName: string): Promise<Experiment> {
  validateExperimentRef(idOrName);
  validateExperimentName(newName);
  const exp = await client.getExperiment(idOrName);
  ids.clear();
  return client.call('rename the experiment', (s) => s.updateExperiment(exp.experimentId, { name: newName }));
}

export async function deleteExperiment(client: TrackingClient, ids: ExperimentIds, idOrName: string): Promise<void> {
  const exp = await client.getExperiment(idOrName);
  ids.clear();
  await client.call('delete the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'deleted'));
}

export async function restoreExperiment(client: TrackingClient, idOrName: string): Promise<void> {
  const exp = await client.getExperiment(idOrName);
  await client.call('restore the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'active'));
}

export async function setExperimentTag(client: TrackingClient, idOrName: string, key: string, value: string): Promise<void> {
  validateTagKey(key, 'experiment');
  const text = stringifyTag(key, value, 'experiment');
  const exp = await client.getExperiment(idOrName);
  await client.call('tag the experiment', (s) => s.setExperimentTags(exp.experimentId, { [key]: text }));
}

export async function resolveExperimentId(client: TrackingClient, ids: ExperimentIds, ref: string): Promise<string> {
  let exp: Experiment;
  try {
    exp = await client.call('read the experiment', (s) => s.getExperiment(ref));
  } catch (err) {
    if (!isTracklabError(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    validateExperimentName(ref);
    exp = await client.call('create the experiment', (s) => s.ensureExperiment(ref));
  }
  if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
  ids.set(ref, exp.experimentId);
  return exp.experimentId;
}

export function resolveExperimentIdSync(client: TrackingClient, ids: ExperimentIds, ref: string): string | undefined {
  const store = client.store;
  if (store.resolveExperimentSync === undefined) return undefined;
  let exp: Experiment;
  try {
    exp = store.resolveExperimentSync(ref);
  } catch (err) {
    throw asTracklabError(err, 'resolve the experiment');
  }
  if (exp.lifecycleStage === 'deleted') throw new TracklabError('INVALID_STATE', msg.experimentDeleted(exp.name));
  ids.set(ref, exp.experimentId);
  return exp.experimentId;
}
