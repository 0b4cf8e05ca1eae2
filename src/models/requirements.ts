/**
 * `requirements.json`: what a Node process needs to load a model package, in
 * package.json's own vocabulary so it can be merged into one or fed to npm:
 *
 *   { "engines": { "node": ">=20" }, "dependencies": { "@tensorflow/tfjs": "4.22.0", "tracklab": "0.1.0" } }
 *
 * Versions are the exact ones installed when the model was saved (MLflow's
 * requirements.txt pins the same way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tracklabVersion } from './version';

export const REQUIREMENTS_FILE = 'requirements.json';

export interface Requirements {
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
}

/** Installed version of an npm package as the loader would resolve it, or undefined. */
export function installedVersion(name: string, from: string = __dirname): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(name, { paths: [from] });
  } catch {
    return undefined;
  }
  // Walk up from the entry file to the package root; `require('<name>/package.json')` fails on packages with an exports map.
  let dir = path.dirname(entry);
  while (dir !== path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version;
      } catch {
        return undefined;
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

export function buildRequirements(dependencies: Readonly<Record<string, string>>): Requirements {
  const sorted = Object.fromEntries(Object.entries({ ...dependencies, tracklab: tracklabVersion() }).sort(([a], [b]) => a.localeCompare(b)));
  return { engines: { node: `>=${process.versions.node.split('.')[0]}` }, dependencies: sorted };
}

export function writeRequirements(dir: string, requirements: Requirements): void {
  fs.writeFileSync(path.join(dir, REQUIREMENTS_FILE), `${JSON.stringify(requirements, null, 2)}\n`);
}
