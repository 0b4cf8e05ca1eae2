/**
 * The validated, store-ready input of a new run, made before its experiment
 * is resolved: id, human name, params, system and user tags, and owner.
 */
import * as path from 'node:path';
import { customAlphabet } from 'nanoid';
import { Env } from '../env-names';
import { TracklabError } from '../errors';
import { msg } from '../messages';
import { emptyRecord, mergeRecords } from '../records';
import type { LogBatch, NewRun } from '../store/store';
import { type OptionNames } from '../option-names';
import { validateExperimentName, validateParams, validateRunId, validateRunName, validateTags } from '../validation';
import { processOwner } from './lifecycle';
import { splitBatch } from './log-batches';
import { generateRunName } from './run-names';
import { defaultExperiment } from './settings';
import { currentUser, sourceDirectory, systemTagsOf } from './system-tags';

export interface CreateRunOptions {
  /** Experiment name or id; created by name when missing. Default: configure({ experiment }) or "Default". */
  readonly experiment?: string;
  readonly name?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  /** Parent run id, for nested runs. Default: TRACKLAB_PARENT_RUN_ID (set by `tracklab run` for the runs inside a project). */
  readonly parent?: string;
  /** Folder whose git state and package.json describe the run; default: the script's folder, or the notebook's. */
  readonly sourceDir?: string;
  readonly startTime?: number;
}

/** Every option of CreateRunOptions, for validateOptionNames. */
export const CREATE_RUN_OPTIONS: OptionNames<CreateRunOptions> = {
  experiment: true, name: true, params: true, tags: true, parent: true, sourceDir: true, startTime: true,
};

export interface PreparedRun {
  /** Experiment name or id, still to be resolved. */
  readonly experiment: string;
  /** The run row, with as many params and tags as one write takes (see log-batches.ts). */
  readonly run: Omit<NewRun, 'experimentId'>;
  /** The params and tags that did not fit, written right after the row; usually none. */
  readonly more: readonly LogBatch[];
  /** The folder provenance was read from (see `recordProvenance`). */
  readonly sourceDir: string;
}

/** Lowercase letters and digits only: safe in URIs, file names, filters and shell arguments. */
export const newRunId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 24);

export function prepareRun(options: CreateRunOptions): PreparedRun {
  const experiment = options.experiment ?? defaultExperiment();
  // An id passes the name rules too; a name may get created, so it must pass them.
  validateExperimentName(experiment);
  if (options.name !== undefined) validateRunName(options.name);
  if (options.parent !== undefined) validateRunId(options.parent);
  const parent = options.parent ?? defaultParent();
  if (options.startTime !== undefined && (!Number.isSafeInteger(options.startTime) || options.startTime < 0)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', msg.metricTimestamp('startTime', options.startTime));
  }
  const params = options.params === undefined ? undefined : validateParams(options.params);
  const sourceDir = options.sourceDir === undefined ? sourceDirectory() : path.resolve(options.sourceDir);
  const system = systemTagsOf(sourceDir);
  const tags = mergeRecords(system, options.tags === undefined ? undefined : validateTags(options.tags));
  const [first, ...more] = splitBatch({ params, tags });
  return {
    experiment,
    more,
    run: {
      runId: newRunId(),
      runName: options.name ?? generateRunName(),
      parentRunId: parent,
      startTime: options.startTime ?? Date.now(),
      user: currentUser(),
      tags: first?.tags ?? emptyRecord(),
      params: first?.params,
      owner: processOwner(),
    },
    sourceDir,
  };
}

/** Runs started inside a project run (`tracklab run`) nest under it unless they name a parent. */
function defaultParent(): string | undefined {
  const fromEnv = process.env[Env.parentRunId] || undefined;
  if (fromEnv === undefined) return undefined;
  try {
    validateRunId(fromEnv);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `TRACKLAB_PARENT_RUN_ID is ${JSON.stringify(fromEnv.slice(0, 80))}, which is not a run id. Unset it, or set it to the id of the run these runs belong under.`, { cause: err });
  }
  return fromEnv;
}
