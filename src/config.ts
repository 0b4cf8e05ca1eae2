/**
 * Where runs go: `configure()` picks the store folder and default experiment;
 * `getClient()` returns the one TrackingClient of that folder.
 */
import type { TrackingStore } from './store/store';
import { TrackingClient } from './tracking/client';
import { resolveHome, setSettings } from './tracking/settings';
import { validateExperimentName } from './validation';

export interface ConfigureOptions {
  /** Store folder. Default: the TRACKLAB_HOME env var, else the `.tracklab` found from the working directory (see tracking/store-discovery.ts). */
  readonly home?: string;
  /** Experiment for runs that name none. Default: TRACKLAB_EXPERIMENT, else "Default". */
  readonly experiment?: string;
}

const clients = new Map<string, TrackingClient>();

/**
 * Sets the store folder and default experiment for this process. Runs already
 * started keep their store.
 * @example tracklab.configure({ home: './runs', experiment: 'mnist' });
 */
export function configure(options: ConfigureOptions): void {
  if (options.experiment !== undefined) validateExperimentName(options.experiment);
  setSettings(options);
}

/**
 * The client for a store folder (default: the configured one), one per folder
 * per process. Pass `store` to use a store you opened yourself.
 * @example const client = tracklab.getClient(); const { runs } = await client.searchRuns();
 */
export function getClient(home?: string, store?: TrackingStore): TrackingClient {
  const root = store?.root ?? resolveHome(home);
  let client = clients.get(root);
  if (client === undefined) {
    client = new TrackingClient({ home: root, store });
    clients.set(root, client);
  }
  return client;
}
