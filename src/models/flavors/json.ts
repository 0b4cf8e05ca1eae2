/**
 * Flavor for models that serialise with `toJSON()` and come back with a static
 * `load(json)`, as ml.js models do (ml-random-forest, ml-regression, ...).
 *
 * The package records the npm package and export name of the class. Loading
 * requires only that *package name*, resolved from tracklab's own
 * node_modules, never a path taken from the package directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../../errors';
import { resolveInsidePackage } from '../package-path';
import { installedVersion } from '../requirements';
import { parseSafeJson } from '../safe-json';
import { flavorConfig, type Flavor, type FlavorSaveOptions, type Predictor } from './flavor';

const DATA_FILE = 'model.json';
// npm's package-name rules: optional @scope/, lowercase, no path separators beyond the scope slash, no leading dot.
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

interface Loadable {
  load(json: unknown): unknown;
}

export const jsonFlavor: Flavor = {
  name: 'json',
  loaderModule: 'tracklab.models.json',
  tabularInput: 'matrix',
  numberDtype: 'float64',

  detect(model) {
    if (model === null || typeof model !== 'object') return false;
    const ctor = (model as { constructor?: unknown }).constructor as Partial<Loadable> | undefined;
    return typeof (model as { toJSON?: unknown }).toJSON === 'function' && typeof ctor?.load === 'function';
  },

  async save(model, dir, options) {
    const { module, exportName } = locateClass(model, options);
    const cls = requireClass(module, exportName);
    if (cls !== (model as { constructor: unknown }).constructor) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `The model is not an instance of ${exportName} from "${module}"; pass the right { module, export }.`);
    }
    const json = (model as { toJSON(): unknown }).toJSON();
    fs.writeFileSync(path.join(dir, DATA_FILE), JSON.stringify(json));
    const version = installedVersion(module) ?? 'unknown';
    return { config: { data: DATA_FILE, module, export: exportName, module_version: version }, requirements: { [module]: version } };
  },

  async load(dir, mlmodel) {
    const config = flavorConfig(mlmodel, 'json');
    const cls = requireClass(config.module, config.export);
    const file = resolveInsidePackage(dir, config.data ?? DATA_FILE, 'the json model data');
    // Tree ensembles nest one level per node, so allow deep (but bounded) documents.
    const json = parseSafeJson(fs.readFileSync(file, 'utf8'), { what: 'The json model data', maxDepth: 4096 });
    try {
      return cls.load(json);
    } catch (err) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `${String(config.export)}.load() rejected the saved model: ${(err as Error).message}`, { cause: err });
    }
  },

  async predictor(model): Promise<Predictor> {
    const m = model as { predict?: (x: unknown) => unknown };
    if (typeof m.predict !== 'function') {
      throw new TracklabError('INVALID_PARAMETER_VALUE', 'The json-flavor model has no predict() method.');
    }
    return { predict: (input) => m.predict!(input) };
  },
};

/** Finds the package and export that define the model's class: explicit options, else the module cache. */
function locateClass(model: unknown, options: FlavorSaveOptions): { module: string; exportName: string } {
  const ctor = (model as { constructor?: unknown }).constructor;
  if (options.module) {
    const exportName = options.export ?? (ctor as { name?: string }).name ?? '';
    return { module: options.module, exportName };
  }
  for (const [file, entry] of Object.entries(require.cache)) {
    const exports = entry?.exports as Record<string, unknown> | undefined;
    if (!exports || (typeof exports !== 'object' && typeof exports !== 'function')) continue;
    const exportName = Object.keys(exports).find((k) => { try { return exports[k] === ctor; } catch { return false; } });
    if (exportName === undefined) continue;
    const module = packageNameOf(file);
    if (module && PACKAGE_NAME.test(module)) return { module, exportName };
  }
  throw new TracklabError('INVALID_PARAMETER_VALUE',
    'Cannot tell which npm package exports this model\'s class; pass { module: "<package>", export: "<ClassName>" } to logModel/saveModel.');
}

function packageNameOf(file: string): string | undefined {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  return parts[i + 1].startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
}

function requireClass(module: unknown, exportName: unknown): Loadable {
  if (typeof module !== 'string' || !PACKAGE_NAME.test(module) || module.length > 214) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The json flavor's module ${JSON.stringify(module)} is not an npm package name; refusing to load it.`);
  }
  if (typeof exportName !== 'string' || !EXPORT_NAME.test(exportName)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The json flavor's export ${JSON.stringify(exportName)} is not a valid export name.`);
  }
  let exports: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(module) as Record<string, unknown>;
  } catch (err) {
    throw new TracklabError('INVALID_STATE', `The model needs the npm package "${module}"; install it with \`npm install ${module}\`.`, { cause: err });
  }
  const cls = Object.prototype.hasOwnProperty.call(exports, exportName) ? exports[exportName] : undefined;
  if (typeof cls !== 'function' || typeof (cls as Partial<Loadable>).load !== 'function') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `"${module}" has no export ${exportName} with a static load(json); check the module and export names.`);
  }
  return cls as unknown as Loadable;
}
