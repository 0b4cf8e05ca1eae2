/**
 * `registry.show(name?)`: gathers the registry summary (models, versions,
 * their source runs) and shows it under the running notebook cell, or as
 * text outside a kernel.
 */
import { display } from '../notebook/display';
import { validateOptionNames, type OptionNames } from '../option-names';
import type { RegisteredModel } from '../registry-entities';
import { getRegistry } from '../registry/default-registry';
import { summarizeModel } from '../registry/model-summary';
import type { RegistryClient } from '../registry/registry-client';
import { summaryBundles, type ModelSummary } from '../registry/registry-summary';
import type { DisplayBundle } from '../views/bundle';

export interface ShowOptions {
  /** Metric to chart and rank versions by. Default: the one exportBest used, else the most common. */
  readonly metric?: string;
  readonly registry?: RegistryClient;
  /** Models listed at most. Default 50. */
  readonly maxModels?: number;
  /** Models shown with versions and a chart when no name is given. Default 5 (most recently updated). */
  readonly maxDetailed?: number;
}

const SHOW_OPTIONS: OptionNames<ShowOptions> = { metric: true, registry: true, maxModels: true, maxDetailed: true };

export interface RegistrySummary {
  readonly bundles: readonly DisplayBundle[];
  /** The text/plain parts joined, as a console shows them. */
  readonly text: string;
}

/**
 * Shows the registry summary under the running cell (as text outside a
 * kernel): every model (or only `name`), then each model's versions and a
 * chart of its metric across versions.
 *
 * @example
 * await tracklab.registry.show();          // all models
 * await tracklab.registry.show('churn');   // one model, its versions and chart
 */
export async function show(name?: string, options: ShowOptions = {}): Promise<void> {
  const { bundles } = await registrySummary(name, options);
  for (const bundle of bundles) display(bundle);
}

/**
 * The bundles `show` displays, without displaying them.
 *
 * @example
 * const { bundles, text } = await registrySummary('churn', { metric: 'val_auc' });
 */
export async function registrySummary(name?: string, options: ShowOptions = {}): Promise<RegistrySummary> {
  validateOptionNames('registry.show()', options, SHOW_OPTIONS);
  const registry = options.registry ?? getRegistry();
  let models: readonly RegisteredModel[];
  let note: string | undefined;
  if (name !== undefined) {
    models = [await registry.getRegisteredModel(name)];
  } else {
    const maxModels = options.maxModels ?? 50;
    const page = await registry.searchRegisteredModels({ orderBy: ['last_updated_timestamp DESC'], maxResults: maxModels });
    models = page.registeredModels;
    if (page.nextPageToken) note = `showing the ${maxModels} most recently updated models; pass a name to see another`;
  }
  const summaries: ModelSummary[] = [];
  for (const model of models) summaries.push(await summarizeModel(registry, model, options.metric));
  const detailed = name !== undefined ? summaries : summaries.slice(0, options.maxDetailed ?? 5);
  const bundles = await summaryBundles(summaries, detailed, note);
  return { bundles, text: bundles.map((b) => String(b.data['text/plain'] ?? '')).join('\n\n') };
}
