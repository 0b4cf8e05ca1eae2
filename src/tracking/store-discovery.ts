/**
 * Finds the default store folder the way git finds `.git`, so a notebook's
 * kernel (started in `notebooks/`), `tracklab run` and the CLI (started at
 * the project root) use one store:
 * 1. the nearest `.tracklab` folder in the working directory or above it,
 *    not looking past the repository root (the nearest `.git`), since a
 *    store outside the repository is another project's;
 * 2. else `.tracklab` in the project root: the nearest folder holding
 *    `.git` or `package.json`;
 * 3. else `.tracklab` in the working directory.
 * An option, configure(), TRACKLAB_TRACKING_URI and TRACKLAB_HOME come before all of this (settings.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const STORE_DIR = '.tracklab';

/** How the store folder was chosen, for `tracklab info` and error messages. */
export type StoreSource = 'option' | 'configure' | 'TRACKLAB_TRACKING_URI' | 'TRACKLAB_HOME' | 'found' | 'project' | 'cwd';

export interface StoreLocation {
  /** Absolute path of the store folder (it may not exist yet). */
  readonly home: string;
  readonly source: StoreSource;
  /** One sentence saying why this folder. */
  readonly reason: string;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Where a process working in `cwd` keeps its runs when nothing names a store. */
export function discoverStore(cwd: string): StoreLocation {
  const start = path.resolve(cwd);
  let project: { dir: string; marker: string } | undefined;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, STORE_DIR);
    if (isDir(candidate)) {
      const where = dir === start ? 'in the working directory' : `in ${dir}, the nearest above ${start}`;
      return { home: candidate, source: 'found', reason: `found an existing ${STORE_DIR} ${where}` };
    }
    const git = exists(path.join(dir, '.git'));
    if (project === undefined) {
      if (git) project = { dir, marker: '.git' };
      else if (exists(path.join(dir, 'package.json'))) project = { dir, marker: 'package.json' };
    }
    if (git || path.dirname(dir) === dir) break;
  }
  if (project !== undefined) {
    return {
      home: path.join(project.dir, STORE_DIR),
      source: 'project',
      reason: `no ${STORE_DIR} above ${start}; using the project root ${project.dir} (it holds ${project.marker})`,
    };
  }
  return {
    home: path.join(start, STORE_DIR),
    source: 'cwd',
    reason: `no ${STORE_DIR}, .git or package.json above ${start}; using the working directory`,
  };
}
