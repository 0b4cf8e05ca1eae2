/**
 * Process-wide tracking settings set by `configure()`, and where they lead:
 * which store and which artifact folder. Kept apart from config.ts so the
 * client can read them without importing the module that caches clients.
 *
 * The store, first found wins: an explicit option (`home`/`trackingUri`,
 * `--tracking-uri`, `--home`) > configure({ trackingUri | home }) >
 * TRACKLAB_TRACKING_URI > TRACKLAB_HOME (the SQLite shorthand) > the
 * `.tracklab` folder found from the working directory the way git finds
 * `.git` (store-discovery.ts). The artifact root, likewise: option > configure >
 * TRACKLAB_ARTIFACT_ROOT > the store's own (SQLite: `<store>/artifacts`).
 */
import { Env } from '../env-names';
import { TracklabError } from '../errors';
import { parseArtifactRoot, parseStoreUri, type StoreUri } from '../store/store-uri';
import { discoverStore, type StoreLocation, type StoreSource } from './store-discovery';

export interface Settings {
  /** Store folder; the same setting as `trackingUri`. */
  readonly home?: string;
  /** Tracking URI (or store folder). */
  readonly trackingUri?: string;
  /** Artifact folder (a path or file:///…). */
  readonly artifactRoot?: string;
  /** Experiment for runs that name none; see `defaultExperiment()`. */
  readonly experiment?: string;
}

export type { StoreSource };

export interface ResolvedStore {
  readonly uri: StoreUri;
  /** The artifact folder when a setting names one (absolute); undefined means the store's own. */
  readonly artifactRoot: string | undefined;
  readonly source: StoreSource;
  /** One sentence saying why this store, for `tracklab info`. */
  readonly reason: string;
}

let current: Settings = {};

export function setSettings(next: Settings): void {
  if (next.home !== undefined && next.trackingUri !== undefined && next.home !== next.trackingUri) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      'configure() got both home and trackingUri; they are the same setting (home is a store folder, trackingUri any store URI). Pass one.');
  }
  const store = next.trackingUri ?? next.home;
  // Parse now, so a bad URI fails at configure() and not at the first run.
  if (store !== undefined) parseStoreUri(store);
  if (next.artifactRoot !== undefined) parseArtifactRoot(next.artifactRoot);
  current = {
    ...current,
    ...(store !== undefined ? { trackingUri: store, home: undefined } : {}),
    ...(next.artifactRoot !== undefined ? { artifactRoot: next.artifactRoot } : {}),
    ...(next.experiment !== undefined ? { experiment: next.experiment } : {}),
  };
}

export function resetSettings(): void {
  current = {};
}

/** The store (and artifact folder) a client opens; `explicit` holds the client's own options. */
export function resolveStore(explicit: { readonly trackingUri?: string; readonly artifactRoot?: string } = {}): ResolvedStore {
  const artifactText = explicit.artifactRoot ?? current.artifactRoot ?? (process.env[Env.artifactRoot] || undefined);
  const artifactRoot = artifactText === undefined ? undefined : cachedArtifactRoot(artifactText);
  const found = offlineSetting(storeSetting(explicit.trackingUri));
  return { uri: cachedUri(found.text), artifactRoot, source: found.source, reason: found.reason };
}

/**
 * The tracking URI as set, without TRACKLAB_MODE=offline's switch to the
 * local store: the server that `tracklab sync` sends to.
 */
export function configuredTrackingUri(explicit?: string): StoreUri {
  return cachedUri(storeSetting(explicit).text);
}

/** The local store (TRACKLAB_HOME, else the nearest `.tracklab`), where offline runs go. */
export function localStoreUri(): StoreUri {
  return cachedUri(localSetting().text);
}

/** Whether TRACKLAB_MODE=offline is set. */
export function offlineMode(): boolean {
  return process.env[Env.mode] === 'offline';
}

/** TRACKLAB_MODE=offline: a server URI gives way to the local store, for `tracklab sync` later (W&B's offline mode). */
function offlineSetting(found: { text: string; source: StoreSource; reason: string }): { text: string; source: StoreSource; reason: string } {
  if (!offlineMode() || !/^https?:/i.test(found.text)) return found;
  const local = localSetting();
  return { ...local, reason: `${local.reason}; ${Env.mode}=offline keeps runs here instead of the tracking server (send them with tracklab sync)` };
}

/** The store folder (SQLite) or the masked tracking URI, and why; see `resolveStore()`. */
export function locateStore(explicit?: string): StoreLocation {
  const { uri, source, reason } = resolveStore({ trackingUri: explicit });
  return { home: uri.scheme === 'sqlite' ? uri.folder : uri.display, source, reason };
}

/** The store folder (SQLite), or the masked tracking URI, of `resolveStore()`. */
export function resolveHome(explicit?: string): string {
  return locateStore(explicit).home;
}

/**
 * The environment that points a child process (a project's kernel or
 * script) at the same store: the full URI (a child needs the password; an
 * environment is not output) and the artifact folder when one is set.
 */
export function storeEnv(connectionUri: string, artifactRoot: string | undefined): Record<string, string> {
  return { [Env.trackingUri]: connectionUri, ...(artifactRoot !== undefined ? { [Env.artifactRoot]: artifactRoot } : {}) };
}

/** Where `defaultExperiment()` got its answer. */
export type ExperimentSource = 'configure' | 'TRACKLAB_EXPERIMENT' | 'default';

/** configure({ experiment }) > TRACKLAB_EXPERIMENT > "Default". */
export function defaultExperiment(): string {
  return experimentSetting().name;
}

/** The default experiment and which setting chose it. */
export function experimentSetting(): { readonly name: string; readonly source: ExperimentSource } {
  if (current.experiment !== undefined) return { name: current.experiment, source: 'configure' };
  const env = process.env[Env.experiment];
  if (env) return { name: env, source: 'TRACKLAB_EXPERIMENT' };
  return { name: 'Default', source: 'default' };
}

function storeSetting(explicit: string | undefined): { text: string; source: StoreSource; reason: string } {
  if (explicit !== undefined) return { text: explicit, source: 'option', reason: 'given explicitly (an option, --tracking-uri or --home)' };
  if (current.trackingUri !== undefined) return { text: current.trackingUri, source: 'configure', reason: 'set by configure()' };
  const uri = process.env[Env.trackingUri];
  if (uri) return { text: uri, source: 'TRACKLAB_TRACKING_URI', reason: `set by the ${Env.trackingUri} environment variable` };
  return localSetting();
}

/** The local store: TRACKLAB_HOME, else the `.tracklab` found from the working directory. */
function localSetting(): { text: string; source: StoreSource; reason: string } {
  const home = process.env[Env.home];
  if (home) return { text: home, source: 'TRACKLAB_HOME', reason: `set by the ${Env.home} environment variable` };
  // Asked on every startRun(): the walk up is done once per working directory.
  const cwd = process.cwd();
  if (discovered?.cwd !== cwd) discovered = { cwd, location: discoverStore(cwd) };
  const { location } = discovered;
  return { text: location.home, source: location.source, reason: location.reason };
}

let discovered: { readonly cwd: string; readonly location: StoreLocation } | undefined;

// Resolution runs at every startRun(): the last answer is kept while the input and the working folder stay the same.
let lastUri: { readonly text: string; readonly cwd: string; readonly uri: StoreUri } | undefined;
let lastArtifactRoot: { readonly text: string; readonly cwd: string; readonly root: string } | undefined;

function cachedUri(text: string): StoreUri {
  const cwd = process.cwd();
  if (lastUri === undefined || lastUri.text !== text || lastUri.cwd !== cwd) lastUri = { text, cwd, uri: parseStoreUri(text, cwd) };
  return lastUri.uri;
}

function cachedArtifactRoot(text: string): string {
  const cwd = process.cwd();
  if (lastArtifactRoot === undefined || lastArtifactRoot.text !== text || lastArtifactRoot.cwd !== cwd) {
    lastArtifactRoot = { text, cwd, root: parseArtifactRoot(text, cwd) };
  }
  return lastArtifactRoot.root;
}
