/**
 * Fixtures for runner tests: a temp project folder holding a copy of
 * fixtures/train.ipynb and `node_modules/tracklab` linked to this repository,
 * so `import * as tracklab from 'tracklab'` in the kernel loads the build.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (the folder whose package.json is named tracklab). */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tracklab') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no tracklab package.json above ${__dirname}`);
  }
}

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(full) : e.name.endsWith('.ts') ? fs.statSync(full).mtimeMs : 0);
  }
  return t;
}

let built = false;

/** Kernels load dist/; when tests run from sources (tsx), compile first if dist is older than src. */
export function ensureBuilt(): void {
  if (built || !__filename.endsWith('.ts')) return;
  built = true;
  const root = repoRoot();
  const marker = path.join(root, 'dist', 'src', 'index.js');
  if (fs.existsSync(marker) && newest(path.join(root, 'src')) <= fs.statSync(marker).mtimeMs) return;
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'ignore' });
}

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
