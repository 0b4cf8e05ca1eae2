/**
 * Tags tracklab sets on every run it starts: who, where, which code and which
 * versions. Computed once per process; git is asked with a short timeout and
 * stays silent outside a repository.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SystemTag = {
  user: 'tracklab.user',
  sourceName: 'tracklab.source.name',
  sourceType: 'tracklab.source.type',
  gitCommit: 'tracklab.git.commit',
  gitBranch: 'tracklab.git.branch',
  gitDirty: 'tracklab.git.dirty',
  host: 'tracklab.host',
  nodeVersion: 'tracklab.version.node',
  tracklabVersion: 'tracklab.version.tracklab',
  typescriptVersion: 'tracklab.version.typescript',
  tslabVersion: 'tracklab.version.tslab',
} as const;

let cached: Readonly<Record<string, string>> | undefined;

/** The system tags of this process (cached after the first call). */
export function systemTags(): Readonly<Record<string, string>> {
  cached ??= Object.freeze(collect());
  return cached;
}

export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export function inNotebook(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

function collect(): Record<string, string> {
  const notebook = inNotebook();
  const tags: Record<string, string> = {
    [SystemTag.user]: currentUser(),
    [SystemTag.host]: os.hostname(),
    [SystemTag.nodeVersion]: process.versions.node,
    [SystemTag.sourceType]: notebook ? 'NOTEBOOK' : 'SCRIPT',
  };
  const source = notebook ? notebookName() : process.argv[1];
  if (source) tags[SystemTag.sourceName] = source.slice(0, 8000);
  const cwd = source && !notebook ? path.dirname(path.resolve(source)) : process.cwd();
  Object.assign(tags, gitTags(cwd));
  const own = packageVersion(path.join(__dirname, '..', '..', '..', 'package.json'), 'tracklab')
    ?? packageVersion(path.join(__dirname, '..', '..', 'package.json'), 'tracklab');
  if (own) tags[SystemTag.tracklabVersion] = own;
  // In a kernel, the TypeScript that compiles cells is the one tslab resolves.
  const ts = moduleVersion('typescript', notebook ? tslabDir() : undefined);
  if (ts) tags[SystemTag.typescriptVersion] = ts;
  const tslab = moduleVersion('tslab');
  if (tslab && notebook) tags[SystemTag.tslabVersion] = tslab;
  return tags;
}

function notebookName(): string | undefined {
  // JupyterLab sets these for kernels it starts; nbconvert sets neither.
  return process.env.JPY_SESSION_NAME ?? process.env.TRACKLAB_NOTEBOOK ?? 'notebook';
}

function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args as string[], {
      cwd, timeout: 1500, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true,
    }).trim();
  } catch {
    return undefined;
  }
}

function gitTags(cwd: string): Record<string, string> {
  if (!fs.existsSync(cwd)) return {};
  const commit = git(cwd, ['rev-parse', 'HEAD']);
  if (!commit) return {};
  const out: Record<string, string> = { [SystemTag.gitCommit]: commit };
  const branch = git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
  if (branch && branch !== 'HEAD') out[SystemTag.gitBranch] = branch;
  const status = git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  if (status !== undefined) out[SystemTag.gitDirty] = status === '' ? 'false' : 'true';
  return out;
}

function packageVersion(file: string, name: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === name && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function tslabDir(): string | undefined {
  try {
    return path.dirname(require.resolve('tslab/package.json', { paths: [process.cwd(), __dirname] }));
  } catch {
    return undefined;
  }
}

function moduleVersion(name: string, from?: string): string | undefined {
  try {
    const paths = from === undefined ? [process.cwd(), __dirname] : [from, process.cwd(), __dirname];
    return packageVersion(require.resolve(`${name}/package.json`, { paths }), name);
  } catch {
    return undefined;
  }
}
