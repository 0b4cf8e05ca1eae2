import { TracklabError } from '../../errors';
import { GENERIC_FLAVOR, type MLmodel } from '../mlmodel';
import type { Flavor, FlavorSaveOptions } from './flavor';
import { jsFunctionFlavor } from './js-function';
import { jsonFlavor } from './json';
import { onnxFlavor } from './onnx';
import { tfjsFlavor } from './tfjs';

/** Detection order matters: explicit code wins, then the most specific shapes. */
export const FLAVORS: readonly Flavor[] = [jsFunctionFlavor, tfjsFlavor, onnxFlavor, jsonFlavor];

export type FlavorName = 'tfjs' | 'onnx' | 'json' | 'js_function';

export function flavorByName(name: string): Flavor {
  const flavor = FLAVORS.find((f) => f.name === name);
  if (!flavor) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown model flavor "${name}"; tracklab has ${FLAVORS.map((f) => f.name).join(', ')}.`);
  }
  return flavor;
}

export function detectFlavor(model: unknown, options: FlavorSaveOptions): Flavor {
  const flavor = FLAVORS.find((f) => f.detect(model, options));
  if (!flavor) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      'Cannot tell the model\'s flavor. Pass { flavor } explicitly: tfjs (LayersModel), onnx (.onnx path or bytes), '
      + 'json (toJSON() + static load()), or js_function with { code, export } for any object with predict().');
  }
  return flavor;
}

/** The flavor that loads a package: the generic entry's loader_module, else the first flavor tracklab knows. */
export function flavorForLoad(mlmodel: MLmodel): Flavor {
  const loader = mlmodel.flavors[GENERIC_FLAVOR]?.loader_module;
  if (loader !== undefined) {
    const flavor = FLAVORS.find((f) => f.loaderModule === loader);
    if (!flavor) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `The model's loader_module ${JSON.stringify(loader)} is not one tracklab knows (${FLAVORS.map((f) => f.loaderModule).join(', ')}); it was saved by another tool or a newer tracklab.`);
    }
    return flavor;
  }
  const flavor = FLAVORS.find((f) => f.name !== GENERIC_FLAVOR && f.name in mlmodel.flavors);
  if (!flavor) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `No flavor of this model can be loaded by tracklab (it has ${Object.keys(mlmodel.flavors).join(', ')}; tracklab loads ${FLAVORS.map((f) => f.name).join(', ')}).`);
  }
  return flavor;
}
