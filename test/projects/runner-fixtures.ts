/**
 * Fixtures for runner tests: a temp project folder holding a copy of
 * fixtures/train.ipynb and `node_modules/tracklab` linked to this repository,
 * so `import * as tracklab from 'tracklab'` in the kernel loads the build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ensureBuilt, repoRoot } from '../support/jupyter';

export { ensureBuilt, repoRoot };

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

/** A fresh project folder with train.ipynb (and any extra files) that can import tracklab. */
export function projectWithNotebook(extra: Readonly<Record<string, string>> = {}): { dir: string; notebook: string } {
  ensureBuilt();
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot(), path.join(dir, 'node_modules', 'tracklab'), 'dir');
  const notebook = path.join(dir, 'train.ipynb');
  fs.copyFileSync(path.join(repoRoot(), 'test', 'projects', 'fixtures', 'train.ipynb'), notebook);
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, notebook };
}
