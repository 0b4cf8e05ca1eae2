/**
 * The registry half of `exportBest` (the notebook's "ship the best model"
 * step, show/export-best.ts): searches runs ordered by a metric, takes the
 * best one that has a logged model, registers it (reusing the version when
 * the same content is already registered), moves an alias to it and returns
 * the version. It displays nothing.
 */
import { TracklabError } from '../errors';
import type { Run } from '../entities';
import { LOGGED_MODELS_TAG, parseLoggedModels } from '../models/log-model';
import { MLMODEL_FILE } from '../models/mlmodel';
import { msg } from '../messages';
import { validateOptionNames, type OptionNames } from '../option-names';
import { currentExperiment } from '../tracking/fluent';
import { validateKey } from '../validation';
import { getRegistry } from './default-registry';
import type { ModelVersion } from '../registry-entities';
import type { RegistryClient } from './registry-client';
import { SUMMARY_METRIC_TAG, SUMMARY_MODE_TAG } from './registry-summary';
import { validateAlias, validateModelName } from './registry-validation';

export interface ExportBestOptions {
  /** Experiment name(s) or id(s) to search. Default: the current experiment (see currentExperiment()). */
  readonly experiment?: string | readonly string[];
  /** Metric to rank by (its last value, as MLflow's search does). */
  readonly metric: string;
  readonly mode: 'max' | 'min';
  /** Extra MLflow filter on the runs, e.g. "params.optimizer = 'adam'". */
  readonly filter?: string;
  /** Registered model name; created if missing. */
  readonly name: string;
  /** Alias moved to the exported version. Default "champion". */
  readonly alias?: string;
  /** Artifact path of the model in the run. Default: the run's newest logged model. */
  readonly modelPath?: string;
  /** Show the registry summary (exportBest). Default: only inside a notebook kernel. */
  readonly display?: boolean;
  readonly registry?: RegistryClient;
}

export interface ExportedVersion extends ModelVersion {
  /** True when this content was already registered and that version was reused. */
  readonly reused: boolean;
  /** The best run's value of the metric. */
  readonly metricValue: number;
}

const PAGE = 200;

const EXPORT_BEST_OPTIONS: OptionNames<ExportBestOptions> = {
  experiment: true, metric: true, mode: true, filter: true, name: true, alias: true, modelPath: true, display: true, registry: true,
};

/** Registers the best run's model and points an alias at it; see `exportBest`, which also shows the result. */
export async function registerBest(options: ExportBestOptions): Promise<ExportedVersion> {
  // Every option but metric, mode and name has a default, so a misspelt one would be ignored without a word.
  if (options === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', msg.optionsNotObject('exportBest()', options));
  validateOptionNames('exportBest()', options, EXPORT_BEST_OPTIONS);
  const { metric, mode, name } = options;
  validateKey('Metric', metric);
  if (mode !== 'max' && mode !== 'min') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `exportBest mode must be 'max' or 'min', got ${JSON.stringify(mode)}.`);
  }
  validateModelName(name);
  const alias = options.alias ?? 'champion';
  validateAlias(alias);
  const registry = options.registry ?? getRegistry();

  const experiment = options.experiment ?? currentExperiment(registry.tracking);
  const found = await findBest(registry, { ...options, experiment });
  const registration = await registry.register(name, `runs:/${found.run.info.runId}/${found.modelPath}`, undefined, {}, true);
  const v = registration.version.version;
  await registry.setRegisteredModelAlias(name, alias, v);
  await registry.setRegisteredModelTags(name, { [SUMMARY_METRIC_TAG]: metric, [SUMMARY_MODE_TAG]: mode });
  const version = await registry.getModelVersion(name, v);
  return { ...version, reused: registration.reused, metricValue: found.value };
}

/** Walks runs best-first until one has a model; runs without the metric (or with NaN) come last and end the walk. */
async function findBest(registry: RegistryClient, options: ExportBestOptions & { readonly experiment: string | readonly string[] }): Promise<{ run: Run; modelPath: string; value: number }> {
  const key = /^[\p{L}\p{N}_.\-/:]+$/u.test(options.metric) ? options.metric : `\`${options.metric.replace(/`/g, '``')}\``;
  let checked = 0;
  let withoutModel = 0;
  let pageToken: string | undefined;
  let exhausted = false;
  do {
    const page = await registry.tracking.searchRuns({
      experiments: options.experiment, filter: options.filter, orderBy: [`metrics.${key} ${options.mode === 'max' ? 'DESC' : 'ASC'}`],
      maxResults: PAGE, pageToken,
    });
    for (const run of page.runs) {
      const value = run.data.metrics[options.metric]?.last;
      if (value === undefined || Number.isNaN(value)) { exhausted = true; break; }
      checked++;
      const modelPath = await modelPathOf(registry, run, options.modelPath);
      if (modelPath !== undefined) return { run, modelPath, value };
      withoutModel++;
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && !exhausted);
  const names = await experimentNames(registry, options.experiment);
  const where = `experiment${names.length === 1 ? '' : 's'} ${names.map((n) => JSON.stringify(n)).join(', ')}`;
  const what = options.modelPath ? `a model at "${options.modelPath}"` : 'a logged model';
  throw new TracklabError('RESOURCE_DOES_NOT_EXIST', checked === 0
    ? `No run in ${where}${options.filter ? ` matching ${JSON.stringify(options.filter)}` : ''} has a value for metric "${options.metric}". Check the metric name and the filter.`
    : `None of the ${checked} runs in ${where} with metric "${options.metric}" has ${what} (${withoutModel} checked). Log one with logModel(run, model) and try again.`);
}

/** The experiments' names for a message: the current experiment is an id, and a caller may pass ids too. */
async function experimentNames(registry: RegistryClient, experiment: string | readonly string[]): Promise<string[]> {
  const refs = typeof experiment === 'string' ? [experiment] : [...experiment];
  return Promise.all(refs.map((ref) => registry.tracking.getExperiment(ref).then((e) => e.name, () => ref)));
}

/** Where the run's model package is: the requested path, the newest logged model, or any folder with an MLmodel. */
async function modelPathOf(registry: RegistryClient, run: Run, requested: string | undefined): Promise<string | undefined> {
  const runId = run.info.runId;
  if (requested !== undefined) {
    const files = await registry.tracking.listArtifacts(runId, requested);
    return files.some((f) => f.path === `${requested.replace(/\/+$/, '')}/${MLMODEL_FILE}`) ? requested.replace(/\/+$/, '') : undefined;
  }
  const files = await registry.tracking.listArtifacts(runId);
  const packages = new Set(files.filter((f) => f.path === MLMODEL_FILE || f.path.endsWith(`/${MLMODEL_FILE}`))
    .map((f) => f.path.slice(0, Math.max(0, f.path.length - MLMODEL_FILE.length - 1))));
  const logged = parseLoggedModels(run.data.tags[LOGGED_MODELS_TAG]).map((e) => e.artifact_path);
  for (let i = logged.length - 1; i >= 0; i--) if (packages.has(logged[i])) return logged[i];
  return packages.size > 0 ? [...packages].sort()[0] : undefined;
}
