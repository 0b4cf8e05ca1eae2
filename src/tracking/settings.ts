/**
 * Process-wide tracking settings set by `configure()`. Kept apart from
 * config.ts so the client can read them without importing the module that
 * caches clients.
 */
import * as path from 'node:path';
import { discoverStore, type StoreLocation } from './store-discovery';

export interface Settings {
  /** Store folder; see `locateStore()`. */
  readonly home?: string;
  /** Experiment for runs that name none; see `defaultExperiment()`. */
  readonly experiment?: string;
}

let current: Settings = {};

export function setSettings(next: Settings): void {
  current = { ...current, ...next };
}

export function resetSettings(): void {
  current = {};
}

/**
 * The store folder and why: an explicit folder (an option or `--home`) >
 * configure({ home }) > TRACKLAB_HOME > the `.tracklab` found from the
 * working directory (see store-discovery.ts).
 */
export function locateStore(explicit?: string): StoreLocation {
  if (explicit !== undefined) return fixed(explicit, 'option', 'given explicitly (home option or --home)');
  if (current.home !== undefined) return fixed(current.home, 'configure', 'set by configure({ home })');
  const env = process.env.TRACKLAB_HOME;
  if (env) return fixed(env, 'TRACKLAB_HOME', 'set by the TRACKLAB_HOME environment variable');
  // Asked on every startRun(): the walk up is done once per working directory.
  const cwd = process.cwd();
  if (discovered?.cwd !== cwd) discovered = { cwd, location: discoverStore(cwd) };
  return discovered.location;
}

let discovered: { readonly cwd: string; readonly location: StoreLocation } | undefined;

let lastFixed: { readonly given: string; readonly location: StoreLocation } | undefined;

function fixed(home: string, source: StoreLocation['source'], reason: string): StoreLocation {
  // An absolute folder resolves the same whatever the working directory: reuse the last answer.
  const reuse = lastFixed !== undefined && lastFixed.given === home && lastFixed.location.source === source && path.isAbsolute(home);
  if (!reuse) lastFixed = { given: home, location: { home: path.resolve(home), source, reason } };
  return lastFixed!.location;
}

/** The store folder as an absolute path; see `locateStore()`. */
export function resolveHome(explicit?: string): string {
  return locateStore(explicit).home;
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
  const env = process.env.TRACKLAB_EXPERIMENT;
  if (env) return { name: env, source: 'TRACKLAB_EXPERIMENT' };
  return { name: 'Default', source: 'default' };
}
