/**
 * Process-wide tracking settings set by `configure()`. Kept apart from
 * config.ts so the client can read them without importing the module that
 * caches clients.
 */
import * as path from 'node:path';

export interface Settings {
  /** Store folder; see `resolveHome()`. */
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

/** configure({ home }) > TRACKLAB_HOME > `<cwd>/.tracklab`, as an absolute path. */
export function resolveHome(explicit?: string): string {
  const home = explicit ?? current.home ?? (process.env.TRACKLAB_HOME || undefined) ?? path.join(process.cwd(), '.tracklab');
  // Asked on every startRun(); an absolute path resolves the same whatever the working folder.
  if (resolved?.home !== home || !path.isAbsolute(home)) resolved = { home, path: path.resolve(home) };
  return resolved.path;
}

let resolved: { readonly home: string; readonly path: string } | undefined;

/** configure({ experiment }) > TRACKLAB_EXPERIMENT > "Default". */
export function defaultExperiment(): string {
  return current.experiment ?? (process.env.TRACKLAB_EXPERIMENT || undefined) ?? 'Default';
}
