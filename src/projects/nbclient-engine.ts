import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import type { EngineInput, ExecuteNotebookResult, FailedCell } from './engine';
import { kernelPreloadPath, tslabBinPath, tslabPackageDir } from './kernel-launch';
import { isCodeCell, mergeStreams, parseNotebook, runnableCells, serializeNotebook, TSLAB_KERNELSPEC, type Notebook } from './nbformat';

/** Finds an executable on a PATH string, like `which`. */
export function findOnPath(command: string, pathValue: string | undefined): string | undefined {
  for (const dir of (pathValue ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `node_modules/.bin` that holds our `tslab`, first on PATH as for a `tslab install` kernelspec (ours starts tslab by absolute path anyway). */
function binDir(): string {
  return path.join(tslabPackageDir(), '..', '.bin');
}

const FAILED_CELL = /An error occurred while executing the following cell:\n-{18}\n([\s\S]*?)\n-{18}\n([\s\S]*?)$/;

/** Which code cell nbclient's CellExecutionError names, found by its printed source. */
function failedCellFromStderr(nb: Notebook, stderr: string): FailedCell | undefined {
  const m = FAILED_CELL.exec(stderr);
  if (!m) return undefined;
  const source = m[1]!;
  const index = nb.cells.findIndex((c) => isCodeCell(c) && c.source === source);
  if (index < 0) return undefined;
  const tail = m[2]!.trim().split('\n').pop() ?? '';
  // `TypeError: boom`, or `<Error>:` alone once trimmed (tslab gives nbclient no ename or evalue).
  const colon = tail.indexOf(':');
  const ename = colon > 0 ? tail.slice(0, colon) : '<Error>';
  const evalue = colon > 0 ? tail.slice(colon + 1).trim() : tail;
  return {
    index,
    id: nb.cells[index]!.id,
    executionCount: null,
    // tslab sends no ename/evalue, so nbclient prints `<Error>: `; say where the details are.
    ename: ename === '<Error>' ? 'Error' : ename,
    evalue: evalue || 'tslab reported an error; nbconvert saves no partial notebook, so run with the native engine to see the cell output.',
  };
}

/**
 * The comparison engine: `jupyter nbconvert --to notebook --execute` with a
 * private kernelspec (JUPYTER_PATH) that starts this package's tslab with this
 * Node, so the result does not depend on what `tslab install` registered.
 */
export async function runNbclient({ notebook, cwd, options }: EngineInput): Promise<ExecuteNotebookResult> {
  const basePath = options.env && 'PATH' in options.env ? options.env['PATH'] : process.env['PATH'];
  // Not dirname(process.execPath): it may hold a system jupyter the caller's PATH leaves out.
  const pathValue = [binDir(), basePath].filter(Boolean).join(path.delimiter);
  const jupyter = findOnPath('jupyter', pathValue);
  if (!jupyter) {
    throw new TracklabError(
      'INVALID_STATE',
      'The nbclient engine needs Jupyter, but there is no `jupyter` on PATH. Install it (pip install nbconvert nbclient) or use the native engine, which needs only Node.',
    );
  }
  const total = runnableCells(notebook).length;
  const base: Omit<ExecuteNotebookResult, 'notebook' | 'ok' | 'failures'> = { interrupted: false, timedOut: false, engine: 'nbclient' };
  if (options.signal?.aborted) return { ...base, notebook, ok: false, failures: [], interrupted: true };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-nbclient-'));
  try {
    const kernelDir = path.join(dir, 'kernels', TSLAB_KERNELSPEC.name);
    fs.mkdirSync(kernelDir, { recursive: true });
    const argv = [process.execPath, '--require', kernelPreloadPath(), tslabBinPath(), 'kernel', '--config-path', '{connection_file}'];
    fs.writeFileSync(path.join(kernelDir, 'kernel.json'), JSON.stringify({ ...TSLAB_KERNELSPEC, argv }));
    const env = Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter((e): e is [string, string] => e[1] !== undefined));
    env['PATH'] = pathValue;
    env['JUPYTER_PATH'] = [dir, env['JUPYTER_PATH']].filter(Boolean).join(path.delimiter);
    const args = [
      'nbconvert', '--to', 'notebook', '--execute',
      // stdin input leaves the kernel's cwd to nbconvert's own, which we set to `cwd`.
      '--stdin', '--output-dir', dir, '--output', 'executed',
      `--ExecutePreprocessor.kernel_name=${TSLAB_KERNELSPEC.name}`,
      `--ExecutePreprocessor.timeout=${options.timeoutMs === undefined ? -1 : Math.max(1, Math.ceil(options.timeoutMs / 1000))}`,
      // A kernel that takes longer than nbclient's default 60 s to answer at start (a busy machine) is slow, not broken.
      '--ExecutePreprocessor.startup_timeout=300',
      ...(options.allowErrors ? ['--allow-errors'] : []),
    ];
    options.onProgress?.(0, total);
    const child = spawn(jupyter, args, { cwd, env, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-65536);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serializeNotebook(notebook));
    let interrupted = false;
    const onAbort = (): void => {
      interrupted = true;
      child.kill('SIGINT');
    };
    options.signal?.addEventListener('abort', onAbort);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error) => reject(new TracklabError('INVALID_STATE', `Could not run ${jupyter}: ${error.message}`, { cause: error })));
      child.once('close', (c) => resolve(c));
    }).finally(() => options.signal?.removeEventListener('abort', onAbort));
    const out = path.join(dir, 'executed.ipynb');
    if (code === 0 && fs.existsSync(out)) {
      const executed = mergeStreams(parseNotebook(fs.readFileSync(out, 'utf8'), 'nbconvert output'));
      options.onProgress?.(total, total);
      return { ...base, notebook: executed, ok: true, failures: [] };
    }
    if (interrupted) return { ...base, notebook, ok: false, failures: [], interrupted: true };
    if (/CellTimeoutError|A cell timed out/.test(stderr)) return { ...base, notebook, ok: false, failures: [], timedOut: true };
    if (/jupyter-nbconvert. not found|No module named nbconvert/.test(stderr)) {
      throw new TracklabError('INVALID_STATE', `Jupyter is installed at ${jupyter} but nbconvert is not. Install nbconvert, or use the native engine.`);
    }
    const failed = failedCellFromStderr(notebook, stderr);
    if (!failed) {
      throw new TracklabError('INTERNAL_ERROR', `jupyter nbconvert exited with code ${code}. Its last output: ${stderr.trim().slice(-1500)}`);
    }
    return { ...base, notebook, ok: false, failedCell: failed, failures: [failed] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
