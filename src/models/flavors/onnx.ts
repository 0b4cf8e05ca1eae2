/**
 * ONNX flavor: the `.onnx` file is copied into the package as `model.onnx` and
 * run with onnxruntime-node's bundled CPU build.
 *
 * The model to save is a path to an `.onnx` file or its bytes. `predict` takes
 * a number matrix (number[][]), `{ data: Float32Array, dims }`, an ort.Tensor,
 * or named feeds `{ [inputName]: any of those }`; it returns the single output
 * as nested arrays, or `{ [outputName]: nested arrays }` when there are several.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ORT from 'onnxruntime-node';
import { TracklabError } from '../../errors';
import { resolveInsidePackage } from '../package-path';
import { installedVersion } from '../requirements';
import { isPlainObject } from '../safe-keys';
import { flattenNumbers, isDimsTensor, isTypedArray, nestedShape, typedArrayDtype, unflatten } from '../tensor-data';
import type { MLmodel } from '../mlmodel';
import { flavorConfig, type Flavor, type Predictor } from './flavor';
import { emptyRecord, hasOwnKey } from '../../records';
import { loadRuntime } from './load-runtime';

const PACKAGE = 'onnxruntime-node';
const MODEL_FILE = 'model.onnx';

function ort(): typeof ORT {
  return loadRuntime<typeof ORT>(PACKAGE, 'onnx');
}

export const onnxFlavor: Flavor = {
  name: 'onnx',
  loaderModule: 'tracklab.models.onnx',
  tabularInput: 'matrix',
  numberDtype: 'float32',

  detect(model) {
    if (typeof model === 'string') return model.toLowerCase().endsWith('.onnx');
    // A serialised ModelProto starts with field 1 (ir_version) as a varint: tag byte 0x08.
    return model instanceof Uint8Array && model.length > 8 && model[0] === 0x08;
  },

  async save(model, dir) {
    const target = path.join(dir, MODEL_FILE);
    if (typeof model === 'string') {
      try {
        fs.copyFileSync(model, target);
      } catch (err) {
        throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `Cannot read the ONNX model file ${model}; check the path.`, { cause: err });
      }
    } else if (model instanceof Uint8Array) {
      fs.writeFileSync(target, model);
    } else {
      throw new TracklabError('INVALID_PARAMETER_VALUE', 'The onnx flavor saves a path to an .onnx file or its bytes (Uint8Array).');
    }
    const session = await createSession(target);
    const version = installedVersion(PACKAGE) ?? 'unknown';
    return {
      config: { model_file: MODEL_FILE, input_names: [...session.inputNames], output_names: [...session.outputNames], onnxruntime_version: version },
      requirements: { [PACKAGE]: version },
    };
  },

  async load(dir, mlmodel) {
    return createSession(packagedModelFile(dir, mlmodel));
  },

  async predictor(model, dir, mlmodel): Promise<Predictor> {
    // Before saving, `model` is a path or bytes; the saved copy is what runs, so predictions match the loaded model.
    const session = isSession(model) ? model : await createSession(packagedModelFile(dir, mlmodel));
    const runtime = ort();
    return {
      async predict(input) {
        const feeds = toFeeds(runtime, session, input);
        let results: ORT.InferenceSession.OnnxValueMapType;
        try {
          results = await session.run(feeds);
        } catch (err) {
          throw new TracklabError('INVALID_PARAMETER_VALUE', `The ONNX model rejected the input: ${(err as Error).message.split('\n')[0]}`, { cause: err });
        }
        const outputs = session.outputNames.map((name) => {
          const t = results[name] as ORT.Tensor;
          return unflatten(t.data as ArrayLike<number>, t.dims);
        });
        if (outputs.length === 1) return outputs[0];
        return Object.fromEntries(session.outputNames.map((n, i) => [n, outputs[i]]));
      },
    };
  },
};

function packagedModelFile(dir: string, mlmodel: Pick<MLmodel, 'flavors'>): string {
  return resolveInsidePackage(dir, flavorConfig(mlmodel, 'onnx').model_file ?? MODEL_FILE, 'the ONNX model file');
}

async function createSession(file: string): Promise<ORT.InferenceSession> {
  try {
    return await ort().InferenceSession.create(file);
  } catch (err) {
    if (err instanceof TracklabError) throw err;
    throw new TracklabError('INVALID_PARAMETER_VALUE', `onnxruntime could not load ${path.basename(file)}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

function isSession(value: unknown): value is ORT.InferenceSession {
  return value !== null && typeof value === 'object' && typeof (value as ORT.InferenceSession).run === 'function'
    && Array.isArray((value as ORT.InferenceSession).inputNames);
}

function toFeeds(runtime: typeof ORT, session: ORT.InferenceSession, input: unknown): Record<string, ORT.Tensor> {
  if (isPlainObject(input) && !isDimsTensor(input)) {
    const feeds = emptyRecord<ORT.Tensor>(); // input names come from the model file
    for (const name of session.inputNames) {
      if (!hasOwnKey(input, name)) throw new TracklabError('INVALID_PARAMETER_VALUE', `The ONNX model needs the input "${name}"; it takes ${session.inputNames.join(', ')}.`);
      feeds[name] = toTensor(runtime, input[name], name);
    }
    return feeds;
  }
  if (session.inputNames.length !== 1) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The ONNX model has several inputs (${session.inputNames.join(', ')}); pass named feeds { name: tensor }.`);
  }
  return { [session.inputNames[0]]: toTensor(runtime, input, session.inputNames[0]) };
}

function toTensor(runtime: typeof ORT, value: unknown, name: string): ORT.Tensor {
  if (value instanceof runtime.Tensor) return value;
  if (isDimsTensor(value)) {
    const data = isTypedArray(value.data) ? value.data : Float32Array.from(value.data as number[]);
    // numpy's dtype names are onnxruntime's type names for every typed array.
    return new runtime.Tensor(typedArrayDtype(data) as ORT.Tensor.Type, data as never, [...value.dims]);
  }
  const shape = nestedShape(value, (x) => typeof x === 'number');
  if (shape) return new runtime.Tensor('float32', Float32Array.from(flattenNumbers(value)), shape);
  throw new TracklabError('INVALID_PARAMETER_VALUE', `ONNX input "${name}" must be a number matrix, { data, dims } or an ort.Tensor.`);
}
