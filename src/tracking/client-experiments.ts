/**
 * The experiment operations of TrackingClient. Renaming or deleting an
 * experiment forgets the ids the core resolved names to.
 */
import type { Experiment } from '../entities';
import {
  stringifyTag, validateExperimentDescription, validateExperimentName, validateExperimentRef, validateTagKey, validateTags,
} from '../validation';
import type { ClientCore } from './client-core';

export async function createExperiment(core: ClientCore, name: string, options: { description?: string; tags?: Readonly<Record<string, unknown>> }): Promise<Experiment> {
  validateExperimentName(name);
  validateExperimentDescription(options.description);
  const tags = options.tags === undefined ? undefined : validateTags(options.tags, 'experiment');
  return core.call('create the experiment', (s) => s.createExperiment({ name, description: options.description, tags }));
}

export async function getExperiment(core: ClientCore, idOrName: string): Promise<Experiment> {
  validateExperimentRef(idOrName);
  return core.call('read the experiment', (s) => s.getExperiment(idOrName));
}

export async function renameExperiment(core: ClientCore, idOrName: string, newName: string): Promise<Experiment> {
  validateExperimentRef(idOrName);
  validateExperimentName(newName);
  const exp = await getExperiment(core, idOrName);
  core.experimentIds.clear();
  return core.call('rename the experiment', (s) => s.updateExperiment(exp.experimentId, { name: newName }));
}

export async function deleteExperiment(core: ClientCore, idOrName: string): Promise<void> {
  const exp = await getExperiment(core, idOrName);
  core.experimentIds.clear();
  await core.call('delete the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'deleted'));
}

export async function restoreExperiment(core: ClientCore, idOrName: string): Promise<void> {
  const exp = await getExperiment(core, idOrName);
  await core.call('restore the experiment', (s) => s.setExperimentLifecycle(exp.experimentId, 'active'));
}

export async function setExperimentTag(core: ClientCore, idOrName: string, key: string, value: string): Promise<void> {
  validateTagKey(key, 'experiment');
  const text = stringifyTag(key, value, 'experiment');
  const exp = await getExperiment(core, idOrName);
  await core.call('tag the experiment', (s) => s.setExperimentTags(exp.experimentId, { [key]: text }));
}
