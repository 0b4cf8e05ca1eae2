/**
 * TensorFlow.js LayersModel flavor. Saved through a custom IO handler as
 * `model/model.json` + `model/weights.bin` (the layout tfjs's own file handler
 * writes) and loaded back with a custom load handler, so no `file://` handler
 * or tfjs-node is needed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { TracklabError } from '../../errors';
import { resolveInsidePackage } from '../package-path';
import { parseSafeJson } from '../safe-json';
import { isPlainObject } from '../safe-keys';
import { isDimsTensor, isTfTensorLike, isTypedArray, nestedShape } from '../tensor-data';
import { installedVersion } from '../requirements';
import { flavorConfig, type Flavor, type Predictor } from './flavor';
import { loadRuntime } from './load-runtime';

const PACKAGE = '@tensorflow/tfjs';
const MODEL_DIR = 'model';

function tfjs(): typeof TF {
  return loadRuntime<typeof TF>(PACKAGE, 'tfjs');
}

export const tfjsFlavor: Flavor = {
  name: 'tfjs',
  loaderModule: 'tracklab.models.tfjs',
  tabularInput: 'matrix',
  numberDtype: 'float32',

  detect(model) {
    if (model === null || typeof model !== 'object') return false;
    const m = model as Record<string, unknown>;
    return typeof m.predict === 'function' && typeof m.save === 'function' && Array.isArray(m.layers) && typeof m.getConfig === 'function';
  },

  async save(model, dir) {
    const tf = tfjs();
    const out = path.join(dir, MODEL_DIR);
    fs.mkdirSync(out, { recursive: true });
    await (model as TF.LayersModel).save(tf.io.withSaveHandler(async (artifacts) => {
      const weights = joinWeights(artifacts.weightData);
      fs.writeFileSync(path.join(out, 'weights.bin'), weights);
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }));
    const version = installedVersion(PACKAGE) ?? tf.version.tfjs;
    return { config: { model_dir: MODEL_DIR, model_format: 'layers-model', tfjs_version: version }, requirements: { [PACKAGE]: version } };
  },

  async load(dir, mlmodel) {
    const tf = tfjs();
    const config = flavorConfig(mlmodel, 'tfjs');
    const modelDir = resolveInsidePackage(dir, config.model_dir ?? MODEL_DIR, 'the tfjs model directory');
    const manifestPath = resolveInsidePackage(modelDir, 'model.json', 'the tfjs model.json');
    const manifest = parseSafeJson(fs.readFileSync(manifestPath, 'utf8'), { what: 'The tfjs model.json', maxDepth: 200 });
    if (!isPlainObject(manifest) || !Array.isArray(manifest.weightsManifest)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', 'The tfjs model.json has no weightsManifest; the package is damaged.');
    }
    const weightSpecs: TF.io.WeightsManifestEntry[] = [];
    const buffers: Buffer[] = [];
    for (const group of manifest.weightsManifest as { paths: unknown[]; weights: TF.io.WeightsManifestEntry[] }[]) {
      for (const p of group.paths) buffers.push(fs.readFileSync(resolveInsidePackage(modelDir, p, 'a tfjs weights file')));
      weightSpecs.push(...group.weights);
    }
    const all = Buffer.concat(buffers);
    const artifacts: TF.io.ModelArtifacts = {
      modelTopology: manifest.modelTopology as TF.io.ModelArtifacts['modelTopology'],
      format: manifest.format as string | undefined,
      generatedBy: manifest.generatedBy as string | undefined,
      convertedBy: (manifest.convertedBy as string | null | undefined) ?? undefined,
      trainingConfig: manifest.trainingConfig as TF.io.ModelArtifacts['trainingConfig'],
      weightSpecs,
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
    };
    return tf.loadLayersModel({ load: async () => artifacts });
  },

  async predictor(model): Promise<Predictor> {
    const tf = tfjs();
    const layers = model as TF.LayersModel;
    return {
      predict(input) {
        return tf.tidy(() => {
          const out = layers.predict(toTensor(tf, input));
          return Array.isArray(out) ? out.map((t) => t.arraySync()) : (out as TF.Tensor).arraySync();
        });
      },
    };
  },
};

function toTensor(tf: typeof TF, input: unknown): TF.Tensor {
  if (isTfTensorLike(input)) return input as unknown as TF.Tensor;
  if (isDimsTensor(input)) return tf.tensor(Array.from(input.data as ArrayLike<number>), [...input.dims], 'float32');
  if (isTypedArray(input)) return tf.tensor(Array.from(input as ArrayLike<number>), [1, input.length], 'float32');
  if (nestedShape(input, (x) => typeof x === 'number')) return tf.tensor(input as number[][], undefined, 'float32');
  throw new TracklabError('INVALID_PARAMETER_VALUE', 'The tfjs model takes a number matrix (number[][]), a tf.Tensor or { data, dims }; got something else.');
}

function joinWeights(data: TF.io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((b) => Buffer.from(b)));
}
