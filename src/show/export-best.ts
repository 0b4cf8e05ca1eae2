/** `exportBest`: the best run's model registered and aliased, then the registry summary shown in a notebook. */
import { inKernel } from '../notebook/kernel';
import { registerBest, type ExportBestOptions, type ExportedVersion } from '../registry/export-best';
import { show } from './registry-show';

/**
 * Registers the best run's model, points an alias at it and (in a notebook,
 * or with `display: true`) shows the model's versions.
 *
 * @example
 * const v = await tracklab.exportBest({ experiment: 'churn', metric: 'val_auc', mode: 'max', name: 'churn' });
 * const model = await tracklab.loadModel('models:/churn@champion');
 */
export async function exportBest(options: ExportBestOptions): Promise<ExportedVersion> {
  const version = await registerBest(options);
  if (options.display ?? inKernel()) await show(options.name, { registry: options.registry });
  return version;
}
