/**
 * Runs a script entry point: this Node (`process.execPath`), plus tsx's
 * loader for TypeScript, as a child process with argument arrays only.
 * Parameters arrive as `--key value` arguments and `TRACKLAB_PARAM_<KEY>`
 * variables, as data: nothing is ever parsed by a shell.
 */
import { Env } from '../env-names';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TracklabError } from '../errors';

export interface ScriptOptions {
  readonly file: string;
  readonly cwd: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Added to the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Aborting sends SIGINT, then SIGKILL after `graceMs`. */
  readonly signal?: AbortSignal;
  readonly graceMs?: number;
  /** The child's stdout and stderr, as they come. */
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface ScriptResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly interrupted: boolean;
  /** The last lines the script wrote to stderr (for the failure message). */
  readonly stderrTail: string;
}

/** The tsx loader as a file URL, resolved from the project first, then from tracklab. */
export function tsxLoader(projectDir: string): string {
  try {
    return pathToFileURL(require.resolve('tsx', { paths: [projectDir, __dirname] })).href;
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Running a TypeScript script needs tsx, and it is not installed in ${projectDir} or next to tracklab. Run npm install --save-dev tsx, or point the entry point at compiled JavaScript.`, { cause: err });
  }
}

/** `node [--import tsx] file --key value ...` as an argument array. */
export function scriptArgv(file: string, projectDir: string, params: ScriptOptions['params']): string[] {
  const loader = /\.(ts|mts|cts)$/.test(file) ? ['--import', tsxLoader(projectDir)] : [];
  const args = Object.entries(params).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return [...loader, file, ...args];
}

/** `TRACKLAB_PARAM_LR` for `lr`. */
export function paramEnvName(key: string): string {
  return `${Env.paramPrefix}${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

const TAIL_BYTES = 4000;

export function runScript(options: ScriptOptions): Promise<ScriptResult> {
  const argv = scriptArgv(options.file, path.dirname(options.file), options.params);
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [k, v] of Object.entries(options.params)) env[paramEnvName(k)] = String(v);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, interrupted: true, stderrTail: '' });
      return;
    }
    const child = spawn(process.execPath, argv, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let tail = '';
    let interrupted = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (t: string) => options.onOutput?.(t, 'stdout'));
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      tail = (tail + t).slice(-TAIL_BYTES);
      options.onOutput?.(t, 'stderr');
    });
    const onAbort = (): void => {
      interrupted = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 5000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new TracklabError('INTERNAL_ERROR', `Could not start ${process.execPath} for ${options.file}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code, signal, interrupted, stderrTail: tail });
    });
  });
}
