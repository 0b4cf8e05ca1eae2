/**
 * `logModel`: saves a model package to a temp directory, logs it as artifacts
 * of a run under `name` (default "model"), and records it in the run's
 * `tracklab.logged_models` tag (MLflow's `mlflow.log-model.history`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeArtifactPath } from '../artifacts/artifact-path';
import { TracklabError } from '../errors';
import { defaultModelClient, type ModelRunClient } from '../default-model-client';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { MLmodel } from './mlmodel';
import { SAVE_MODEL_OPTIONS, writeModelPackage, type SaveModelOptions } from './package';

export const LOGGED_MODELS_TAG = 'tracklab.logged_models';
/** MLflow's tag value limit; the oldest history entries are dropped to stay under it. */
const MAX_TAG_VALUE = 8000;

/** An ActiveRun, as far as logModel needs one. */
export interface RunHandle {
  readonly id: string;
  readonly client: ModelRunClient;
  logArtifact(source: string, artifactPath?: string): Promise<unknown>;
  setTag(key: string, value: string): void;
  snapshot(): { readonly tags: Readonly<Record<string, string>> };
  flush(): Promise<void>;
}

export interface LogModelOptions extends SaveModelOptions {
  /** Artifact path of the model in the run. Default "model". */
  readonly name?: string;
  /** Client for a run given by id (a TrackingClient). Default: `getClient()`. */
  readonly client?: ModelRunClient;
}

const LOG_MODEL_OPTIONS: OptionNames<LogModelOptions> = { ...SAVE_MODEL_OPTIONS, name: true, client: true };

export interface ModelInfo {
  /** `runs:/<run_id>/<name>`, for loadModel and the registry. */
  readonly modelUri: string;
  readonly runId: string;
  readonly artifactPath: string;
  readonly mlmodel: MLmodel;
}

/** One entry of the `tracklab.logged_models` tag (the fields of MLflow's `Model.get_tags_dict`). */
export interface LoggedModelEntry {
  readonly run_id: string;
  readonly artifact_path: string;
  readonly utc_time_created: string;
  readonly model_uuid: string;
  readonly flavors: MLmodel['flavors'];
}

/**
 * Logs `model` to a run as an MLmodel package and returns its URI.
 *
 * @example
 * const run = tracklab.startRun();
 * const { modelUri } = await logModel(run, forest, { inputExample: rows.slice(0, 5) });
 * const again = await loadModel(modelUri);
 */
export async function logModel(run: string | RunHandle, model: unknown, options: LogModelOptions = {}): Promise<ModelInfo> {
  validateOptionNames('logModel()', options, LOG_MODEL_OPTIONS);
  const artifactPath = normalizeArtifactPath(options.name ?? 'model');
  const handle = typeof run === 'string' ? undefined : run;
  const runId = handle ? handle.id : run as string;
  if (typeof runId !== 'string' || runId.length === 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'logModel needs a run: an ActiveRun or a run id.');
  }
  const client = handle?.client ?? options.client ?? defaultModelClient();

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-model-'));
  try {
    const dir = path.join(work, path.posix.basename(artifactPath));
    const mlmodel = await writeModelPackage(model, dir, options, { runId, artifactPath });
    if (handle) await handle.logArtifact(dir, artifactPath);
    else await client.logArtifact(runId, dir, artifactPath);

    const previous = handle ? handle.snapshot().tags[LOGGED_MODELS_TAG] : (await client.getRun(runId)).data.tags[LOGGED_MODELS_TAG];
    const value = historyTag(previous, {
      run_id: runId, artifact_path: artifactPath, utc_time_created: mlmodel.utc_time_created,
      model_uuid: mlmodel.model_uuid, flavors: mlmodel.flavors,
    });
    if (handle) {
      handle.setTag(LOGGED_MODELS_TAG, value);
      await handle.flush();
    } else {
      await client.setTag(runId, LOGGED_MODELS_TAG, value);
    }
    return { modelUri: `runs:/${runId}/${artifactPath}`, runId, artifactPath, mlmodel };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The logged-model history of a run, newest last. */
export function parseLoggedModels(tagValue: string | undefined): LoggedModelEntry[] {
  if (!tagValue) return [];
  try {
    const parsed: unknown = JSON.parse(tagValue);
    return Array.isArray(parsed) ? parsed as LoggedModelEntry[] : [];
  } catch {
    return [];
  }
}

function historyTag(previous: string | undefined, entry: LoggedModelEntry): string {
  const entries = [...parseLoggedModels(previous), entry];
  let value = JSON.stringify(entries);
  while (value.length > MAX_TAG_VALUE && entries.length > 1) {
    entries.shift();
    value = JSON.stringify(entries);
  }
  return value;
}
