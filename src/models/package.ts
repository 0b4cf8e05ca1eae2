/**
 * Writes a model package directory: MLmodel, the flavor's files,
 * requirements.json, and the input example (input_example.json,
 * serving_input_example.json) when one is given.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { fileWriteError, isWriteFailure } from '../files/file-errors';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { FlavorSaveOptions } from './flavors/flavor';
import { detectFlavor, flavorByName, type FlavorName } from './flavors/registry';
import { saveInputExample } from './input-example';
import { GENERIC_FLAVOR, formatUtcTimeCreated, MLMODEL_FILE, writeMLmodel, type MLmodel, type SavedInputExampleInfo } from './mlmodel';
import { preparePredictInput } from './predict-input';
import { buildRequirements, REQUIREMENTS_FILE, writeRequirements } from './requirements';
import { type ModelSignature, signatureToJson, validateSchema } from './schema';
import { parseSafeJson } from './safe-json';
import { inferSignature } from './signature';
import { tracklabVersion } from './version';

export interface SaveModelOptions extends FlavorSaveOptions {
  /** Omit to detect it from the model. */
  readonly flavor?: FlavorName;
  /** Stored with the model and used to infer the signature when none is given. */
  readonly inputExample?: unknown;
  /** Explicit signature; `false` skips inference. */
  readonly signature?: ModelSignature | false;
  /** Free-form metadata stored in MLmodel (JSON-able values). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export const SAVE_MODEL_OPTIONS: OptionNames<SaveModelOptions> = {
  flavor: true, inputExample: true, signature: true, metadata: true, code: true, export: true, module: true,
};

/** Set by logModel: where the package will live in the run. */
export interface PackageOrigin {
  readonly runId: string;
  readonly artifactPath: string;
}

/**
 * Saves `model` as a package in `dir` (which must not exist or be empty) and returns its MLmodel.
 *
 * @example
 * const mlmodel = await saveModel(forest, './my-model', { inputExample: [[1, 2, 3]] });
 */
export async function saveModel(model: unknown, dir: string, options: SaveModelOptions = {}): Promise<MLmodel> {
  validateOptionNames('saveModel()', options, SAVE_MODEL_OPTIONS);
  return writeModelPackage(model, dir, options, undefined);
}

export async function writeModelPackage(model: unknown, dir: string, options: SaveModelOptions, origin: PackageOrigin | undefined): Promise<MLmodel> {
  try {
    return await buildPackage(model, dir, options, origin);
  } catch (err) {
    // writeFileSync loops over short writes itself; what is left to do is to say clearly that the disk failed.
    if (isWriteFailure(err)) throw fileWriteError(err, `save the model package in ${dir}`, dir);
    throw err;
  }
}

async function buildPackage(model: unknown, dir: string, options: SaveModelOptions, origin: PackageOrigin | undefined): Promise<MLmodel> {
  prepareDirectory(dir);
  const flavor = options.flavor ? flavorByName(options.flavor) : detectFlavor(model, options);
  const saved = await flavor.save(model, dir, options);
  const generic = {
    loader_module: flavor.loaderModule,
    env: REQUIREMENTS_FILE,
    node_version: process.versions.node,
    ...(saved.generic ?? {}),
  };
  const flavors = { [GENERIC_FLAVOR]: generic, ...(flavor.name !== GENERIC_FLAVOR ? { [flavor.name]: saved.config } : {}) };
  writeRequirements(dir, buildRequirements(saved.requirements));

  let signature: ModelSignature | null = null;
  if (options.signature) {
    validateSchema(options.signature.inputs, 'signature inputs');
    if (options.signature.outputs) validateSchema(options.signature.outputs, 'signature outputs');
    signature = options.signature;
  } else if (options.signature !== false && options.inputExample !== undefined) {
    const inputs = inferSignature(options.inputExample, undefined, { numberDtype: flavor.numberDtype }).inputs;
    let prediction: unknown;
    try {
      const predictor = await flavor.predictor(model, dir, { flavors });
      prediction = await predictor.predict(preparePredictInput(flavor, { inputs }, options.inputExample));
    } catch (err) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `The model failed to predict on its input example, so the example does not fit the model: ${(err as Error).message}`, { cause: err });
    }
    signature = inferSignature(options.inputExample, prediction, { numberDtype: flavor.numberDtype });
  }

  let example: SavedInputExampleInfo | undefined;
  if (options.inputExample !== undefined) example = saveInputExample(dir, options.inputExample);

  const mlmodel: MLmodel = {
    ...(origin ? { artifact_path: origin.artifactPath } : {}),
    flavors,
    ...(options.metadata ? { metadata: jsonable(options.metadata) } : {}),
    model_size_bytes: directorySize(dir),
    model_uuid: crypto.randomUUID().replace(/-/g, ''),
    ...(origin ? { run_id: origin.runId } : {}),
    ...(example ? { saved_input_example_info: example } : {}),
    ...(signature ? { signature: signatureToJson(signature) } : {}),
    tracklab_version: tracklabVersion(),
    utc_time_created: formatUtcTimeCreated(),
  };
  writeMLmodel(dir, mlmodel);
  return mlmodel;
}

function prepareDirectory(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0) {
      throw new TracklabError('RESOURCE_ALREADY_EXISTS', `${dir} already exists and is not an empty directory; choose a new path for the model.`);
    }
  } else {
    fs.mkdirSync(dir, { recursive: true });
  }
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name !== MLMODEL_FILE) total += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

function jsonable(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Model metadata must be JSON-able: ${(err as Error).message}`, { cause: err });
  }
  return parseSafeJson(text, { what: 'Model metadata', maxDepth: 32 }) as Record<string, unknown>;
}
