/**
 * The contract every model flavor implements. A flavor knows one kind of
 * model: how to recognise it, write it into a package directory, read it back,
 * and run it. Flavors are looked up by name from a closed list; an MLmodel
 * never names code to load.
 */
import type { FlavorConfig, MLmodel } from '../mlmodel';
import type { TensorDtype } from '../schema';

export interface FlavorSaveOptions {
  /** js_function: path of the module file that exports the model. */
  readonly code?: string;
  /** js_function: export name in `code`; json: export name of the model class in `module`. */
  readonly export?: string;
  /** json: npm package that exports the model class. */
  readonly module?: string;
}

export interface SavedFlavor {
  /** Written under `flavors.<name>`; omitted when empty (js_function keeps its keys on the generic entry). */
  readonly config: FlavorConfig;
  /** Extra keys for the generic `js_function` entry. */
  readonly generic?: FlavorConfig;
  /** npm packages (name → exact version) a loader needs. */
  readonly requirements: Readonly<Record<string, string>>;
}

/** A runnable model: inputs in, plain JS data (arrays, numbers, objects) out. */
export interface Predictor {
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): unknown;
}

export interface Flavor {
  readonly name: string;
  /** Value of `flavors.js_function.loader_module`; maps back to this flavor on load. */
  readonly loaderModule: string;
  /** 'matrix': row objects are turned into number[][] (signature column order) before predict; 'rows': passed as they are. */
  readonly tabularInput: 'matrix' | 'rows';
  /** dtype that plain number arrays get in an inferred signature. */
  readonly numberDtype: TensorDtype;
  /** True when `model` is of this flavor's kind (used when `flavor` is not given). */
  detect(model: unknown, options: FlavorSaveOptions): boolean;
  save(model: unknown, dir: string, options: FlavorSaveOptions): Promise<SavedFlavor>;
  /** Wraps the in-memory model (before saving) or the one `load` returned. */
  predictor(model: unknown, dir: string, mlmodel: Pick<MLmodel, 'flavors'>): Promise<Predictor>;
  /** Rebuilds the model from a package directory. Reads only files inside `dir`. */
  load(dir: string, mlmodel: Pick<MLmodel, 'flavors'>): Promise<unknown>;
}

export function flavorConfig(mlmodel: Pick<MLmodel, 'flavors'>, name: string): FlavorConfig {
  return mlmodel.flavors[name] ?? {};
}
