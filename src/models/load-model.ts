/**
 * `loadModel(uri)`: a local package directory, `runs:/<run_id>/<path>`, or
 * `models:/<name>/<version>` / `models:/<name>@<alias>` through a resolver the
 * model registry plugs in with `setModelsUriResolver`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TracklabError } from '../errors';
import { defaultModelClient } from '../default-model-client';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { Flavor, Predictor } from './flavors/flavor';
import { flavorForLoad } from './flavors/registry';
import { loadInputExample } from './input-example';
import { modelMsg } from './messages';
import { readMLmodel, type MLmodel } from './mlmodel';
import { preparePredictInput } from './predict-input';
import { signatureFromJson, type ModelSignature } from './schema';
import { enforceParams } from './validate-input';

export interface LoadedModel {
  /** Validates `input` against the signature (when there is one), then runs the model. */
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): Promise<unknown>;
  readonly metadata: MLmodel;
  readonly signature: ModelSignature | null;
  readonly flavor: string;
  /** Local directory the package was loaded from. */
  readonly path: string;
  /** The stored input example in the form predict takes, or undefined. */
  inputExample(): unknown;
}

/** Turns a `models:/...` or `runs:/...` URI into a local package directory. */
export type ModelUriResolver = (uri: string) => Promise<string>;

let modelsResolver: ModelUriResolver | undefined;
let runsResolver: ModelUriResolver | undefined;

/** The registry installs this to serve `models:/<name>/<version>` and `models:/<name>@<alias>`. */
export function setModelsUriResolver(resolver: ModelUriResolver | undefined): void {
  modelsResolver = resolver;
}

/** The tracking layer installs this to download `runs:/<run_id>/<path>` from its artifact store. */
export function setRunsUriResolver(resolver: ModelUriResolver | undefined): void {
  runsResolver = resolver;
}

export interface LoadModelOptions {
  /** Resolves `runs:/` and `models:/` URIs for this call, instead of the installed resolvers. */
  readonly resolver?: ModelUriResolver;
  /** Store to download `runs:/` URIs from. Default: `getClient()` (the configured store). */
  readonly client?: { downloadArtifacts(uri: string, dest?: string): Promise<string> };
}

const LOAD_MODEL_OPTIONS: OptionNames<LoadModelOptions> = { resolver: true, client: true };

/**
 * Loads a model package and returns something to predict with.
 *
 * @example
 * const model = await loadModel('runs:/Xk3v9Qp2/model');
 * const predictions = await model.predict([{ x: 1.5, y: 2 }]);
 */
export async function loadModel(uri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  validateOptionNames('loadModel()', options, LOAD_MODEL_OPTIONS);
  const dir = await resolveModelUri(uri, options);
  return loadModelFromDirectory(dir);
}

export async function resolveModelUri(uri: string, options: LoadModelOptions = {}): Promise<string> {
  const resolver = options.resolver;
  if (typeof uri !== 'string' || uri.length === 0) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'loadModel needs a URI: a directory, runs:/<run_id>/<path> or models:/<name>/<version>.');
  }
  if (uri.startsWith('models:/')) {
    const use = resolver ?? modelsResolver;
    if (!use) throw new TracklabError('INVALID_STATE', `Cannot resolve ${uri}: no model registry is available in this process.`);
    return use(uri);
  }
  if (uri.startsWith('runs:/')) {
    const use = resolver ?? runsResolver;
    if (use) return use(uri);
    const client = options.client ?? defaultModelClient();
    return client.downloadArtifacts(uri);
  }
  // `models:lin` is a mistyped URI, not a directory named so.
  if (/^(models|runs):(?!\/)/i.test(uri)) throw new TracklabError('INVALID_PARAMETER_VALUE', modelMsg.malformedModelUri(uri));
  if (/^[a-z][a-z0-9+.-]*:\//i.test(uri) && !uri.startsWith('file:/')) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Unsupported model URI scheme in ${uri}; use a directory, runs:/ or models:/.`);
  }
  const dir = uri.startsWith('file:/') ? fileURLToPath(uri) : uri;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `No model directory at ${dir}.`);
  }
  return path.resolve(dir);
}

export async function loadModelFromDirectory(dir: string): Promise<LoadedModel> {
  const metadata = readMLmodel(dir);
  const flavor = flavorForLoad(metadata);
  const signature = metadata.signature ? signatureFromJson(metadata.signature) : null;
  const model = await flavor.load(dir, metadata);
  const predictor = await flavor.predictor(model, dir, metadata);
  return wrap(flavor, predictor, metadata, signature, dir);
}

function wrap(flavor: Flavor, predictor: Predictor, metadata: MLmodel, signature: ModelSignature | null, dir: string): LoadedModel {
  return {
    async predict(input, params) {
      const x = preparePredictInput(flavor, signature, input);
      const p = enforceParams(signature?.params, params);
      return await predictor.predict(x, p);
    },
    metadata,
    signature,
    flavor: flavor.name,
    path: dir,
    inputExample() {
      const info = metadata.saved_input_example_info;
      return info ? loadInputExample(dir, info) : undefined;
    },
  };
}
