/**
 * The validated, store-ready input of a new run, made before its experiment
 * is resolved: id, human name, params, system and user tags, and owner.
 */
import { customAlphabet } from 'nanoid';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import type { NewRun } from '../store/store';
import { validateExperimentName, validateParams, validateRunId, validateRunName, validateTags } from '../validation';
import { processOwner } from './lifecycle';
import { generateRunName } from './run-names';
import { defaultExperiment } from './settings';
import { currentUser, systemTags } from './system-tags';

export interface CreateRunOptions {
  /** Experiment name or id; created by name when missing. Default: configure({ experiment }) or "Default". */
  readonly experiment?: string;
  readonly name?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  /** Parent run id, for nested runs. */
  readonly parent?: string;
  readonly startTime?: number;
}

export interface PreparedRun {
  /** Experiment name or id, still to be resolved. */
  readonly experiment: string;
  readonly run: Omit<NewRun, 'experimentId'>;
}

/** Lowercase letters and digits only: safe in URIs, file names, filters and shell arguments. */
export const newRunId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 24);

export function prepareRun(options: CreateRunOptions): PreparedRun {
  const experiment = options.experiment ?? defaultExperiment();
  // An id passes the name rules too; a name may get created, so it must pass them.
  validateExperimentName(experiment);
  if (options.name !== undefined) validateRunName(options.name);
  if (options.parent !== undefined) validateRunId(options.parent);
  if (options.startTime !== undefined && (!Number.isSafeInteger(options.startTime) || options.startTime < 0)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricTimestamp('startTime', options.startTime));
  }
  const params = options.params === undefined ? undefined : validateParams(options.params);
  const tags = { ...systemTags(), ...(options.tags === undefined ? {} : validateTags(options.tags)) };
  return {
    experiment,
    run: {
      runId: newRunId(),
      runName: options.name ?? generateRunName(),
      parentRunId: options.parent,
      startTime: options.startTime ?? Date.now(),
      user: currentUser(),
      tags,
      params,
      owner: processOwner(),
    },
  };
}
