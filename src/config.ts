/**
 * Where runs go: `configure()` picks the store, the artifact folder and the
 * default experiment; `getClient()` returns the one TrackingClient of a store.
 */
import { setDefaultModelClient } from './default-model-client';
import type { TrackingStore } from './store/store';
import { connectionUri } from './store/store-uri';
import { TrackingClient } from './tracking/client';
import { resolveStore, setSettings } from './tracking/settings';
import { validateOptionNames, type OptionNames } from './option-names';
import { validateExperimentName } from './validation';

export interface ConfigureOptions {
  /** Store folder (the SQLite shorthand of `trackingUri`). Default: see `trackingUri`; the `.tracklab` is found from the working directory as git finds `.git` (tracking/store-discovery.ts). */
  readonly home?: string;
  /**
   * Where runs go: a store folder, `sqlite:///abs/path/tracklab.db` or
   * `postgresql://user:pass@host:5432/db`. Default: TRACKLAB_TRACKING_URI,
   * else TRACKLAB_HOME, else the nearest `.tracklab` folder.
   */
  readonly trackingUri?: string;
  /** Folder (or file:///…) for artifacts. Default: TRACKLAB_ARTIFACT_ROOT, else inside an embedded store; a PostgreSQL store needs one. */
  readonly artifactRoot?: string;
  /** Experiment for runs that name none. Default: TRACKLAB_EXPERIMENT, else "Default". */
  readonly experiment?: string;
}

const CONFIGURE_OPTIONS: OptionNames<ConfigureOptions> = { home: true, trackingUri: true, artifactRoot: true, experiment: true };

const clients = new Map<string, TrackingClient>();
/** The store a caller handed to `getClient()`, per client made for it (the client's own store is its business). */
const givenStores = new WeakMap<TrackingClient, TrackingStore>();

/**
 * Sets the store, artifact folder and default experiment for this process.
 * Runs already started keep their store.
 * @example tracklab.configure({ trackingUri: 'postgresql://ana@db:5432/tracklab', artifactRoot: '/mnt/team/artifacts', experiment: 'mnist' });
 */
export function configure(options: ConfigureOptions): void {
  validateOptionNames('configure()', options, CONFIGURE_OPTIONS);
  if (options.experiment !== undefined) validateExperimentName(options.experiment);
  setSettings(options);
}

/**
 * The client of a store (default: the configured one), one per store and
 * artifact folder per process. `home` takes a store folder or any tracking
 * URI. Pass `store` to use a store you opened yourself.
 * @example const client = tracklab.getClient(); const { runs } = await client.searchRuns();
 */
export function getClient(home?: string, store?: TrackingStore): TrackingClient {
  const { uri, artifactRoot } = resolveStore({ trackingUri: home });
  const key = `${connectionUri(uri)}\n${artifactRoot ?? ''}`;
  let client = clients.get(key);
  if (client === undefined || (store !== undefined && givenStores.get(client) !== store)) {
    client = new TrackingClient({ trackingUri: home, store });
    if (store !== undefined) givenStores.set(client, store);
    clients.set(key, client);
  }
  return client;
}

// logModel and loadModel('runs:/…') use the configured store when given no client.
setDefaultModelClient(() => getClient());
