/**
 * The software environment of a source folder: OS, the project's declared
 * dependencies (from the nearest package.json) and a hash of its lockfile.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Lockfiles in the order npm, pnpm, yarn and bun look for them. */
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];
/** Tag values are capped at 8000 characters (MLflow's limit). */
const MAX_TAG = 8000;

/** `Linux 6.1.0-18-amd64 x64`: kernel name, release and architecture. */
export function osDescription(): string {
  return `${os.type()} ${os.release()} ${process.arch}`;
}

/** The nearest folder at or above `dir` holding a package.json, or undefined. */
export function findPackageRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(current, 'package.json'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export interface LockfileDigest {
  readonly file: string;
  readonly sha256: string;
}

/** sha256 of the first lockfile found in `pkgRoot`. */
export function lockfileDigest(pkgRoot: string): LockfileDigest | undefined {
  for (const name of LOCKFILES) {
    const file = path.join(pkgRoot, name);
    try {
      return { file: name, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * The declared dependencies of `pkgRoot/package.json` as compact JSON for a
 * tag: `{"dependencies":{...},"devDependencies":{...}}`. When that passes
 * the tag limit, devDependencies go first, then names are kept without ranges.
 */
export function dependenciesJson(pkgRoot: string): string | undefined {
  let pkg: { dependencies?: unknown; devDependencies?: unknown };
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return undefined;
  }
  const dependencies = stringRecord(pkg.dependencies);
  const devDependencies = stringRecord(pkg.devDependencies);
  const candidates = [
    JSON.stringify({ dependencies, devDependencies }),
    JSON.stringify({ dependencies }),
    JSON.stringify({ dependencies: Object.keys(dependencies) }),
  ];
  return candidates.find((c) => c.length <= MAX_TAG) ?? `${candidates[2]!.slice(0, MAX_TAG - 1)}…`;
}
