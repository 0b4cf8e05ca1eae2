/**
 * One RegistryClient per store folder per process, beside `getClient()`, and
 * the hook that lets `loadModel('models:/...')` find it.
 */
import { getClient } from '../config';
import { setModelsUriResolver } from '../models/load-model';
import type { TrackingClient } from '../tracking/client';
import { RegistryClient } from './registry-client';

const registries = new Map<TrackingClient, RegistryClient>();

/**
 * The registry of a store folder (default: the configured one).
 * @example const v = await tracklab.getRegistry().getModelVersionByAlias('churn', 'champion');
 */
export function getRegistry(home?: string): RegistryClient {
  const tracking = getClient(home);
  let registry = registries.get(tracking);
  if (registry === undefined) {
    registry = new RegistryClient({ tracking });
    registries.set(tracking, registry);
  }
  return registry;
}

/**
 * Makes `loadModel('models:/<name>/<version>')`, `models:/<name>@<alias>` and
 * `models:/<name>/latest` resolve through the registry of the configured store
 * (looked up at each call, so a later `configure()` is honoured).
 * @example installRegistryResolver(); const model = await loadModel('models:/churn@champion');
 */
export function installRegistryResolver(): void {
  setModelsUriResolver((uri) => getRegistry().resolveModelUri(uri));
}
