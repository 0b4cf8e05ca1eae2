/**
 * Flavor for any object with `predict(input, params?)`, packaged as a module
 * file plus an export name: `logModel(model, { flavor: 'js_function', code: './model.js', export: 'model' })`.
 * The file is copied to `code/<name>` and its settings live on the generic
 * `js_function` entry, as MLflow keeps a custom pyfunc's on `python_function`.
 *
 * SECURITY: loading a js_function model runs its code, as unpickling does in
 * MLflow. Load only models you trust. tracklab requires the file only when its
 * real path is inside the package directory, never code elsewhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../../errors';
import { GENERIC_FLAVOR } from '../mlmodel';
import { modelMsg as msg } from '../messages';
import { resolveInsidePackage } from '../package-path';
import { flavorConfig, type Flavor, type Predictor } from './flavor';

const CODE_DIR = 'code';
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

interface PredictFn {
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): unknown;
}

export const jsFunctionFlavor: Flavor = {
  name: 'js_function',
  loaderModule: 'tracklab.models.js_function',
  tabularInput: 'rows',
  numberDtype: 'float64',

  detect(model, options) {
    return options.code !== undefined && hasPredict(model);
  },

  async save(model, dir, options) {
    if (!options.code) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        'A js_function model is saved as code: pass { code: "path/to/model.js", export: "model" } naming the module file that exports it.');
    }
    const source = path.resolve(options.code);
    const ext = path.extname(source);
    if (ext !== '.js' && ext !== '.cjs') {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `The js_function code must be a CommonJS .js or .cjs file; got ${path.basename(source)}. Compile TypeScript first.`);
    }
    if (!fs.existsSync(source) || !fs.statSync(source).isFile()) {
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `The js_function code file ${source} does not exist.`);
    }
    const exportName = options.export ?? 'default';
    if (!EXPORT_NAME.test(exportName)) throw new TracklabError('INVALID_PARAMETER_VALUE', `Export name ${JSON.stringify(exportName)} is not a JS identifier.`);
    if (model !== undefined && model !== null && !hasPredict(model)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', 'A js_function model must have a predict(input) method.');
    }
    fs.mkdirSync(path.join(dir, CODE_DIR), { recursive: true });
    const rel = `${CODE_DIR}/${path.basename(source)}`;
    fs.copyFileSync(source, path.join(dir, rel));
    // Loading requires the copy, alone in the package, and takes this export: checked now on that copy (not the
    // original, which require may hold from before an edit), so a package that would never load is not saved.
    try {
      const copy = codeFileInside(dir, rel);
      // A package saved again at the same path must not get the old copy; require.cache is undefined where Node's ESM
      // loader runs this file as CommonJS (tsx), which caches nothing to clear.
      if (require.cache !== undefined) delete require.cache[copy];
      if (!hasPredict(exportedModel(requireCode(copy), exportName))) {
        throw new TracklabError('INVALID_PARAMETER_VALUE', `${path.basename(source)} has no export "${exportName}" with a predict() method, so the package would not load. `
          + 'Pass { export } naming the export that holds the model (exports.model = ... is export: "model").');
      }
    } catch (err) {
      fs.rmSync(path.join(dir, CODE_DIR), { recursive: true, force: true });
      throw err;
    }
    return { config: {}, generic: { code: rel, export: exportName }, requirements: {} };
  },

  async load(dir, mlmodel) {
    const config = flavorConfig(mlmodel, GENERIC_FLAVOR);
    const file = codeFileInside(dir, config.code);
    const exportName = config.export ?? 'default';
    if (typeof exportName !== 'string' || !EXPORT_NAME.test(exportName)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `The js_function export ${JSON.stringify(exportName)} is not a JS identifier.`);
    }
    const model = exportedModel(requireCode(file), exportName);
    if (!hasPredict(model)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `The js_function code has no export "${exportName}" with a predict() method.`);
    }
    return model;
  },

  async predictor(model, dir, mlmodel): Promise<Predictor> {
    // Before saving, run the copy in the package, so the output signature describes what loading will give.
    const target = hasPredict(model) ? model : (await jsFunctionFlavor.load(dir, mlmodel)) as PredictFn;
    return { predict: (input, params) => target.predict(input, params) };
  },
};

/**
 * The package's code file, checked so that `require` can only run that file:
 * its real path is inside the package, it is a regular file (a directory would
 * make `require` follow its package.json `main` or index.js, possibly to an
 * absolute path elsewhere), and `require.resolve` lands on that same file.
 */
function codeFileInside(dir: string, rel: unknown): string {
  const file = resolveInsidePackage(dir, rel, 'the js_function code file');
  if (!/\.c?js$/.test(file)) throw new TracklabError('INVALID_PARAMETER_VALUE', 'The js_function code file must be a .js or .cjs file.');
  if (!fs.lstatSync(file).isFile()) throw new TracklabError('INVALID_PARAMETER_VALUE', msg.codeNotRegularFile(String(rel)));
  let resolved: string | undefined;
  try {
    resolved = require.resolve(file);
  } catch {
    resolved = undefined;
  }
  if (resolved !== file) throw new TracklabError('INVALID_PARAMETER_VALUE', msg.codeResolvesElsewhere(String(rel), resolved));
  return file;
}

function requireCode(file: string): Record<string, unknown> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Record<string, unknown>;
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The js_function code failed to load: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** `export: 'default'` is the module itself when it has predict(), else its `default` export. */
function exportedModel(exports: Record<string, unknown>, exportName: string): unknown {
  if (exportName === 'default' && hasPredict(exports)) return exports;
  return Object.prototype.hasOwnProperty.call(exports, exportName) ? exports[exportName] : undefined;
}

function hasPredict(value: unknown): value is PredictFn {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PredictFn).predict === 'function';
}
