/**
 * Tags tracklab sets on every run it starts: who, where, which code and which
 * versions, plus the provenance of the source folder (git commit, branch,
 * remote and dirty flag, OS, dependencies, lockfile hash; see src/provenance).
 * Computed once per process (and source folder); git is asked with a short
 * timeout and stays silent outside a repository.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProvenanceTag, provenanceTags } from '../provenance/provenance';

export const SystemTag = {
  user: 'tracklab.user',
  sourceName: 'tracklab.source.name',
  sourceType: 'tracklab.source.type',
  gitCommit: ProvenanceTag.gitCommit,
  gitBranch: ProvenanceTag.gitBranch,
  gitRemote: ProvenanceTag.gitRemote,
  gitDirty: ProvenanceTag.gitDirty,
  host: 'tracklab.host',
  os: ProvenanceTag.os,
  nodeVersion: 'tracklab.version.node',
  tracklabVersion: 'tracklab.version.tracklab',
  typescriptVersion: 'tracklab.version.typescript',
  tslabVersion: 'tracklab.version.tslab',
  dependencies: ProvenanceTag.dependencies,
  lockfile: ProvenanceTag.lockfile,
  lockfileSha256: ProvenanceTag.lockfileSha256,
  /** The notebook a project run executes (set by `tracklab run` for the runs inside it too). */
  projectNotebook: 'tracklab.project.notebook',
  /** The runner's parameters as JSON (set by `tracklab run` for the runs inside it too). */
  projectParameters: 'tracklab.project.parameters',
} as const;

let base: Readonly<Record<string, string>> | undefined;
const bySource = new Map<string, { readonly from: Readonly<Record<string, string>>; readonly tags: Readonly<Record<string, string>> }>();

/**
 * The system tags of this process. `sourceDir` names the folder whose git
 * state and package.json describe the run; default: `sourceDirectory()`.
 * Process facts are read once; folder facts as src/provenance refreshes them.
 */
export function systemTags(sourceDir?: string): Readonly<Record<string, string>> {
  return systemTagsOf(path.resolve(sourceDir ?? sourceDirectory()));
}

/** {@link systemTags} of a folder given as an absolute, normalised path. */
export function systemTagsOf(dir: string): Readonly<Record<string, string>> {
  const folder = provenanceTags(dir);
  let cached = bySource.get(dir);
  if (cached === undefined || cached.from !== folder) {
    base ??= collect();
    cached = { from: folder, tags: Object.freeze({ ...base, ...folder }) };
    bySource.set(dir, cached);
  }
  return cached.tags;
}

/**
 * The folder a run's code comes from: the notebook's folder in a kernel
 * started by `tracklab run` (TRACKLAB_NOTEBOOK_PATH), the working folder in
 * other kernels, the script's folder otherwise.
 */
export function sourceDirectory(): string {
  const notebookPath = process.env.TRACKLAB_NOTEBOOK_PATH;
  if (notebookPath) return path.dirname(path.resolve(notebookPath));
  if (inNotebook()) return process.cwd();
  const script = process.argv[1];
  if (!script) return process.cwd();
  // The folder of an absolute script path does not depend on the working folder: work it out once.
  if (scriptDir?.script !== script || !path.isAbsolute(script)) scriptDir = { script, dir: path.dirname(path.resolve(script)) };
  return scriptDir.dir;
}

let scriptDir: { readonly script: string; readonly dir: string } | undefined;

let user: string | undefined;

/** The account this process runs as; read once, since a process keeps its uid and os.userInfo() is a syscall. */
export function currentUser(): string {
  if (user === undefined) {
    try {
      user = os.userInfo().username;
    } catch {
      user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
    }
  }
  return user;
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
  const own = packageVersion(path.join(__dirname, '..', '..', '..', 'package.json'), 'tracklab')
    ?? packageVersion(path.join(__dirname, '..', '..', 'package.json'), 'tracklab');
  if (own) tags[SystemTag.tracklabVersion] = own;
  // In a kernel, the TypeScript that compiles cells is the one tslab resolves.
  const ts = moduleVersion('typescript', notebook ? tslabDir() : undefined);
  if (ts) tags[SystemTag.typescriptVersion] = ts;
  const tslab = moduleVersion('tslab');
  if (tslab && notebook) tags[SystemTag.tslabVersion] = tslab;
  Object.assign(tags, projectTags());
  return tags;
}

/** Set by `tracklab run` in the environment of the kernel or script it starts. */
function projectTags(): Record<string, string> {
  const tags: Record<string, string> = {};
  const notebookPath = process.env.TRACKLAB_NOTEBOOK_PATH;
  if (notebookPath) tags[SystemTag.projectNotebook] = notebookPath.slice(0, 8000);
  const parameters = process.env.TRACKLAB_PROJECT_PARAMETERS;
  if (parameters) tags[SystemTag.projectParameters] = parameters.slice(0, 8000);
  return tags;
}

function notebookName(): string | undefined {
  // JupyterLab sets JPY_SESSION_NAME for kernels it starts; nbconvert sets nothing; `tracklab run` sets TRACKLAB_NOTEBOOK_PATH.
  return process.env.JPY_SESSION_NAME ?? process.env.TRACKLAB_NOTEBOOK_PATH ?? process.env.TRACKLAB_NOTEBOOK ?? 'notebook';
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

/** The version of an installed package, resolved from `from` (then the working folder and tracklab itself). */
export function moduleVersion(name: string, from?: string): string | undefined {
  try {
    const paths = from === undefined ? [process.cwd(), __dirname] : [from, process.cwd(), __dirname];
    return packageVersion(require.resolve(`${name}/package.json`, { paths }), name);
  } catch {
    return undefined;
  }
}
