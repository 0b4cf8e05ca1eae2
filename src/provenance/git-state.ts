/**
 * The git state of a source folder: commit, branch, remote and dirty flag,
 * read with short-timeout `git` calls (argument arrays, no shell) that stay
 * silent outside a repository or without git installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface GitState {
  readonly commit: string;
  readonly branch?: string;
  /** The fetch URL of `origin` (else the first remote), with any credentials removed. */
  readonly remote?: string;
  /** Tracked files differ from HEAD (untracked files alone do not make a tree dirty). */
  readonly dirty?: boolean;
  /** The repository's top folder. */
  readonly root: string;
}

/** The uncommitted diff is capped: a stray generated file must not put megabytes into every run. */
export const MAX_DIFF_BYTES = 1024 * 1024;

/** What `git args` printed, and whether it succeeded (a failed rev-parse still prints what it resolved before failing). */
function runGit(cwd: string, args: readonly string[]): { ok: boolean; out: string } {
  try {
    const out = execFileSync('git', args as string[], {
      cwd, timeout: 1500, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true, maxBuffer: 4 * MAX_DIFF_BYTES,
    });
    return { ok: true, out: out.trim() };
  } catch (err) {
    const out = (err as { stdout?: unknown }).stdout;
    return { ok: false, out: typeof out === 'string' ? out.trim() : '' };
  }
}

function git(cwd: string, args: readonly string[]): string | undefined {
  const { ok, out } = runGit(cwd, args);
  return ok ? out : undefined;
}

/**
 * Removes user, password and token from a remote URL: `https://user:tok@host/x`
 * becomes `https://host/x`. scp-like `git@host:org/repo` keeps its user (it
 * names the ssh account, not a secret); query strings are dropped.
 *
 * @example stripCredentials('https://x-access-token:ghp_abc@github.com/o/r.git'); // 'https://github.com/o/r.git'
 */
export function stripCredentials(url: string): string {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  if (scheme === null) return trimmed;
  try {
    const parsed = new URL(trimmed);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    // Unparseable: keep only what follows the last '@' of the authority.
    const rest = trimmed.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    const at = authority.lastIndexOf('@');
    return scheme[0] + (at < 0 ? rest : rest.slice(at + 1));
  }
}

/** The git state of `dir`, or undefined outside a repository (or a repository without commits). */
export function gitState(dir: string): GitState | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const head = headOf(dir);
  if (head === undefined) return undefined;
  const { commit, root, branch } = head;
  const url = remoteUrl(dir);
  const status = git(dir, ['status', '--porcelain', '--untracked-files=no']);
  return {
    commit,
    root,
    ...(branch && branch !== 'HEAD' ? { branch } : {}),
    ...(url ? { remote: stripCredentials(url) } : {}),
    ...(status !== undefined ? { dirty: status !== '' } : {}),
  };
}

/**
 * Commit, top folder and branch name, asked in one `git rev-parse`: each git
 * process takes 5–20 ms to start, and a fresh notebook process pays for
 * every one before its first run is written.
 */
function headOf(dir: string): { commit: string; root: string; branch?: string } | undefined {
  const { ok, out } = runGit(dir, ['rev-parse', 'HEAD', '--show-toplevel', '--abbrev-ref', 'HEAD']);
  const lines = out.split('\n');
  if (ok && lines.length === 3 && lines.every(Boolean)) return { commit: lines[0], root: lines[1], branch: lines[2] };
  // Not a repository, or no commit yet: HEAD did not resolve to an object name.
  if (!/^[0-9a-f]{40,64}$/.test(lines[0] ?? '')) return undefined;
  // A commit, but the rest failed (inside .git there is no top folder): ask one question at a time.
  return { commit: lines[0], root: git(dir, ['rev-parse', '--show-toplevel']) ?? dir, branch: git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']) };
}

/** The fetch URL of `origin`, else of the first remote: `git remote -v` lists names and URLs in one process. */
function remoteUrl(dir: string): string | undefined {
  const names: string[] = [];
  const fetchUrls = new Map<string, string>();
  for (const line of (git(dir, ['remote', '-v']) ?? '').split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const name = tab < 0 ? line : line.slice(0, tab);
    if (!names.includes(name)) names.push(name);
    if (tab >= 0 && line.endsWith(' (fetch)') && !fetchUrls.has(name)) fetchUrls.set(name, line.slice(tab + 1, -' (fetch)'.length));
  }
  const name = names.includes('origin') ? 'origin' : names[0];
  if (name === undefined) return undefined;
  // A remote without a URL of its own: get-url says what git would fetch from.
  return fetchUrls.get(name) || git(dir, ['remote', 'get-url', name]);
}

function gitAsync(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args as string[], { cwd, timeout: 10_000, encoding: 'utf8', maxBuffer: 8 * MAX_DIFF_BYTES, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/**
 * `git diff HEAD` (binary files as a note, not bytes) followed by the list of
 * untracked files, cut at `maxBytes` with a closing note. Undefined when git
 * cannot answer.
 */
export async function uncommittedDiff(dir: string, maxBytes = MAX_DIFF_BYTES): Promise<string | undefined> {
  const [diff, untracked] = await Promise.all([
    gitAsync(dir, ['-c', 'core.quotepath=off', 'diff', 'HEAD', '--no-color', '--no-ext-diff']),
    gitAsync(dir, ['-c', 'core.quotepath=off', 'ls-files', '--others', '--exclude-standard']),
  ]);
  if (diff === undefined) return undefined;
  const files = (untracked ?? '').split('\n').filter(Boolean);
  let text = diff;
  if (files.length > 0) text += `${text && !text.endsWith('\n') ? '\n' : ''}# Untracked files (contents not included):\n${files.map((f) => `#   ${f}`).join('\n')}\n`;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const note = `\n# tracklab: diff truncated at ${maxBytes} of ${bytes.length} bytes.\n`;
  return bytes.subarray(0, maxBytes - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD$/, '') + note;
}
