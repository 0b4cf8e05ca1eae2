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
import { Env } from '../env-names';
import { ProvenanceTag, provenanceTags } from '../provenance/provenance';
import { runHost } from './run-host';

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

/** `tracklab.source.type` of the runs `tracklab run` wraps around a notebook's or script's own runs. */
export const SourceType = { project: 'PROJECT', sweep: 'SWEEP' } as const;

/** Whether a run only wraps the runs it executed (a project or sweep run): it trains nothing itself. */
export function isWrapperRun(tags: Readonly<Record<string, string>>): boolean {
  const type = tags[SystemTag.sourceType];
  return type === SourceType.project || type === SourceType.sweep;
}

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
 * started by `tracklab run` (TRACKLAB_NOTEBOOK_PATH), else what the host
 * says (the working folder in a kernel, the script's folder otherwise).
 */
export function sourceDirectory(): string {
  const notebookPath = process.env[Env.notebookPath];
  if (notebookPath) return path.dirname(path.resolve(notebookPath));
  return runHost().sourceDirectory();
}

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

function collect(): Record<string, string> {
  const host = runHost();
  const tags: Record<string, string> = {
    [SystemTag.user]: currentUser(),
    [SystemTag.host]: os.hostname(),
    [SystemTag.nodeVersion]: process.versions.node,
    [SystemTag.sourceType]: host.sourceType,
  };
  const source = host.sourceName();
  if (source) tags[SystemTag.sourceName] = source.slice(0, 8000);
  const own = packageVersion(path.join(__dirname, '..', '..', '..', 'package.json'), 'tracklab')
    ?? packageVersion(path.join(__dirname, '..', '..', 'package.json'), 'tracklab');
  if (own) tags[SystemTag.tracklabVersion] = own;
  // The compiler that compiled the run's code: for a script, the TypeScript its process resolves (a kernel's
  // host and `tracklab run` for a notebook put tslab's own in its place); none when there is none.
  const ts = moduleVersion('typescript');
  if (ts) tags[SystemTag.typescriptVersion] = ts;
  Object.assign(tags, host.versionTags(), projectTags());
  return tags;
}

/** Set by `tracklab run` in the environment of the kernel or script it starts. */
function projectTags(): Record<string, string> {
  const tags: Record<string, string> = {};
  const notebookPath = process.env[Env.notebookPath];
  if (notebookPath) tags[SystemTag.projectNotebook] = notebookPath.slice(0, 8000);
  const parameters = process.env[Env.projectParameters];
  if (parameters) tags[SystemTag.projectParameters] = parameters.slice(0, 8000);
  return tags;
}

function packageVersion(file: string, name: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === name && typeof pkg.version === 'string' ? pkg.version : undefined;
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
