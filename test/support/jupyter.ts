/**
 * Runs notebooks through the real tslab kernel under real Jupyter
 * (`jupyter nbconvert --execute`, which drives nbclient). The kernelspec is
 * installed under a private prefix, never into the user's Jupyter dirs.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelPreloadPath } from '../../src/projects/kernel-launch';

export interface NotebookOutput {
  readonly output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | 'update_display_data';
  readonly name?: string;
  readonly text?: string | string[];
  readonly data?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly transient?: Record<string, unknown>;
}

export interface NotebookCell {
  readonly cell_type: 'code' | 'markdown' | 'raw';
  readonly source: string | string[];
  readonly outputs?: readonly NotebookOutput[];
  readonly execution_count?: number | null;
  readonly metadata: Record<string, unknown>;
}

export interface Notebook {
  readonly cells: readonly NotebookCell[];
  readonly metadata: Record<string, unknown>;
  readonly nbformat: number;
  readonly nbformat_minor: number;
}

/** The repository root (the folder whose package.json is named tracklab). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tracklab') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no tracklab package.json above ${__dirname}`);
    dir = parent;
  }
}

let built = false;

/**
 * Notebooks load the compiled package (dist/), so when the tests run from
 * TypeScript sources (tsx) compile first. Under `npm test` dist/ is fresh.
 * Type errors elsewhere in the tree do not stop tsc from emitting.
 */
export function ensureBuilt(): void {
  if (built || !__filename.endsWith('.ts')) return;
  built = true;
  const root = repoRoot();
  const marker = path.join(root, 'dist', 'src', 'index.js');
  const builtAt = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  if (newestSource(path.join(root, 'src')) <= builtAt) return;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  spawnSync(process.execPath, [tsc, '-p', root], { cwd: root, stdio: 'ignore' });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function jupyterCommand(): string {
  if (process.env.TRACKLAB_JUPYTER) return process.env.TRACKLAB_JUPYTER;
  // A pyenv shim named jupyter may shadow Debian's, whose Python has nbconvert.
  return fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';
}

function pythonCommand(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export interface TslabKernelSpec {
  readonly kernelName: 'tslab';
  /** Put this on JUPYTER_PATH so Jupyter finds the kernelspec. */
  readonly jupyterPath: string;
  readonly binDir: string;
}

const kernelSpecs = new Map<boolean, TslabKernelSpec>();

/**
 * Installs the tslab kernelspec under a private prefix in the temp dir (once
 * per checkout), starting this checkout's tslab as tracklab's launchers do;
 * `asInstalled` keeps it exactly as `tslab install` writes it, as a user's
 * own Jupyter has it.
 */
export function ensureTslabKernel(options: { readonly asInstalled?: boolean } = {}): TslabKernelSpec {
  const asInstalled = options.asInstalled === true;
  const known = kernelSpecs.get(asInstalled);
  if (known) return known;
  const root = repoRoot();
  const binDir = path.join(root, 'node_modules', '.bin');
  const tslabBin = path.join(binDir, 'tslab');
  const prefix = path.join(os.tmpdir(), `tracklab-jupyter-${Buffer.from(root).toString('hex').slice(-24)}${asInstalled ? '-as-installed' : ''}`);
  const jupyterPath = path.join(prefix, 'share', 'jupyter');
  const kernelJson = path.join(jupyterPath, 'kernels', 'tslab', 'kernel.json');
  if (!fs.existsSync(kernelJson)) {
    const result = spawnSync(tslabBin, ['install', `--python=${pythonCommand()}`, `--prefix=${prefix}`, `--binary=${tslabBin}`], {
      cwd: root, encoding: 'utf8',
    });
    if (result.status !== 0 || !fs.existsSync(kernelJson)) {
      throw new Error(`tslab install failed (${result.status}): ${result.stderr || result.error?.message}`);
    }
  }
  // As tracklab's own launchers start tslab: with kernel-preload.ts, which mends the kernel's sockets before tslab
  // binds them (src/notebook/kernel-sockets.ts).
  const argv = [process.execPath, '--require', kernelPreloadPath(), tslabBin, 'kernel', '--config-path', '{connection_file}'];
  const installed = JSON.parse(fs.readFileSync(kernelJson, 'utf8')) as { argv?: string[] };
  if (!asInstalled && JSON.stringify(installed.argv) !== JSON.stringify(argv)) {
    // Test processes share this kernelspec: write it whole (rename), so none reads half a file.
    const temp = `${kernelJson}.${process.pid}`;
    fs.writeFileSync(temp, JSON.stringify({ ...installed, argv }, null, 1));
    fs.renameSync(temp, kernelJson);
  }
  const spec: TslabKernelSpec = { kernelName: 'tslab', jupyterPath, binDir };
  kernelSpecs.set(asInstalled, spec);
  return spec;
}

/**
 * A temp folder to run notebooks in, where `import ... from 'tracklab'`
 * resolves to this checkout (node_modules/tracklab -> repo root).
 */
export function notebookWorkspace(): string {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-nb-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot(), path.join(dir, 'node_modules', 'tracklab'), 'dir');
  return dir;
}

/** Builds an nbformat 4 notebook for the tslab kernel from cell sources. */
export function makeNotebook(cells: readonly (string | { readonly markdown: string })[]): Notebook {
  return {
    cells: cells.map((cell) => typeof cell === 'string'
      ? { cell_type: 'code', source: cell, outputs: [], execution_count: null, metadata: {} }
      : { cell_type: 'markdown', source: cell.markdown, metadata: {} }),
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export interface ExecuteOptions {
  /** Folder the kernel starts in (its process.cwd()); default the notebook's folder. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Per-cell timeout; default 60 s. */
  readonly timeoutSec?: number;
  /** Keep executing after a cell fails (nbconvert --allow-errors). */
  readonly allowErrors?: boolean;
  /** On a cell timeout, interrupt the kernel (SIGINT) instead of failing. */
  readonly interruptOnTimeout?: boolean;
  /** Where to write the executed notebook; default beside the input as `<name>.out.ipynb`. */
  readonly outputPath?: string;
  /** Run the kernel as `tslab install` registers it, as a user's Jupyter does (see ensureTslabKernel). */
  readonly kernelAsInstalled?: boolean;
}

export interface ExecutedNotebook {
  readonly notebook: Notebook;
  readonly outputPath: string;
  /** nbconvert's exit status and log (kernel stderr lands in cell outputs, not here). */
  readonly exitCode: number | null;
  readonly log: string;
}

/**
 * Executes a notebook with nbconvert on the tslab kernel and returns the
 * saved result. Rejects when nbconvert fails to write the output notebook.
 */
export async function executeNotebook(notebookPath: string, opts: ExecuteOptions = {}): Promise<ExecutedNotebook> {
  const spec = ensureTslabKernel({ asInstalled: opts.kernelAsInstalled });
  const input = path.resolve(notebookPath);
  const outputPath = path.resolve(opts.outputPath ?? input.replace(/\.ipynb$/, '') + '.out.ipynb');
  const timeout = opts.timeoutSec ?? 60;
  const args = [
    'nbconvert', '--to', 'notebook', '--execute',
    `--ExecutePreprocessor.kernel_name=${spec.kernelName}`,
    `--ExecutePreprocessor.timeout=${timeout}`,
    // nbclient's default (60 s) for the kernel to answer at start is short for a 2-core machine running other kernels.
    '--ExecutePreprocessor.startup_timeout=180',
    '--output-dir', path.dirname(outputPath),
    '--output', path.basename(outputPath),
  ];
  if (opts.allowErrors) args.push('--allow-errors');
  if (opts.interruptOnTimeout) args.push('--ExecutePreprocessor.interrupt_on_timeout=True');
  args.push(input);
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-jrt-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${spec.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    JUPYTER_PATH: spec.jupyterPath,
    JUPYTER_RUNTIME_DIR: runtimeDir,
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    ...opts.env,
  };
  fs.rmSync(outputPath, { force: true });
  const { exitCode, log } = await new Promise<{ exitCode: number | null; log: string }>((resolve, reject) => {
    const child = spawn(jupyterCommand(), args, { cwd: opts.cwd ?? path.dirname(input), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code, log: text }));
  });
  fs.rmSync(runtimeDir, { recursive: true, force: true });
  if (!fs.existsSync(outputPath)) {
    throw new Error(`nbconvert wrote no notebook (exit ${exitCode}):\n${log}`);
  }
  const notebook = JSON.parse(fs.readFileSync(outputPath, 'utf8')) as Notebook;
  return { notebook, outputPath, exitCode, log };
}

/** Writes `notebook` to `<dir>/<name>` and executes it. */
export async function runNotebook(dir: string, name: string, notebook: Notebook, opts: ExecuteOptions = {}): Promise<ExecutedNotebook> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
  return executeNotebook(file, { cwd: dir, ...opts });
}

/** A cell's text (nbformat stores multi-line strings as arrays). */
export function joinText(value: string | readonly string[] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join('');
}

/** Everything a code cell printed to one stream. */
export function streamText(cell: NotebookCell, name: 'stdout' | 'stderr'): string {
  return (cell.outputs ?? []).filter((o) => o.output_type === 'stream' && o.name === name).map((o) => joinText(o.text)).join('');
}

/** The display_data outputs of a cell. */
export function displayOutputs(cell: NotebookCell): readonly NotebookOutput[] {
  return (cell.outputs ?? []).filter((o) => o.output_type === 'display_data');
}

/** Code cells only, in order. */
export function codeCells(notebook: Notebook): readonly NotebookCell[] {
  return notebook.cells.filter((c) => c.cell_type === 'code');
}

/** A text mimetype of an output, joined (nbformat may split it into lines). */
export function mimeText(output: NotebookOutput | undefined, mime: string): string | undefined {
  const value = output?.data?.[mime];
  if (value === undefined) return undefined;
  return joinText(value as string | string[]);
}

/**
 * One step of an interactive session: a cell (optionally interrupted once it prints `interruptOn`), a kernel
 * restart, or Interrupt pressed while the kernel is idle (its result says whether the kernel survived it; a
 * session stops at a dead kernel).
 */
export type SessionStep = { readonly code: string; readonly interruptOn?: string } | { readonly restart: true } | { readonly interrupt: true };

export interface SessionCellResult {
  readonly status: 'ok' | 'error' | 'abort';
  readonly execution_count: number | null;
  /** How many times the cell was sent (tslab aborts cells sent within 200 ms after a failure). */
  readonly attempts: number;
  readonly stdout: string;
  readonly stderr: string;
  /** text/plain of every display_data and update_display_data, in order. */
  readonly display: readonly string[];
}

export type SessionResult = SessionCellResult | { readonly restart: true } | { readonly interrupt: true; readonly alive: boolean };

/**
 * Runs cells one at a time on a real tslab kernel through jupyter_client, as
 * a person at the Notebook does (kernel-session.py), then shuts the kernel
 * down. Unlike nbconvert, cells after a failed one run, and the kernel can
 * be restarted in between.
 */
export async function runSession(cwd: string, steps: readonly SessionStep[], opts: { readonly env?: Readonly<Record<string, string>>; readonly timeoutSec?: number } = {}): Promise<SessionResult[]> {
  const spec = ensureTslabKernel();
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-jrt-'));
  const specFile = path.join(runtimeDir, 'session.json');
  fs.writeFileSync(specFile, JSON.stringify({
    kernel: spec.kernelName, cwd, timeout: opts.timeoutSec ?? 300,
    steps: steps.map((s) => ('code' in s ? { code: s.code, interrupt_on: s.interruptOn } : s)),
  }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${spec.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    JUPYTER_PATH: spec.jupyterPath,
    JUPYTER_RUNTIME_DIR: runtimeDir,
    ...opts.env,
  };
  const script = path.join(repoRoot(), 'test', 'support', 'kernel-session.py');
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(pythonCommand(), [script, specFile], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
      child.stderr.setEncoding('utf8').on('data', (t: string) => { err += t; });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    if (code !== 0) throw new Error(`kernel session failed (exit ${code}):\n${stderr}`);
    return JSON.parse(stdout) as SessionResult[];
  } finally {
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  }
}

/**
 * Resolves with the content of `file` once it exists and is not empty: how a
 * test waits for a cell to reach a point (the cell writes the file), with no
 * fixed sleep. Rejects if `giveUp` settles (resolves or rejects) first.
 */
export function whenFileWritten(file: string, giveUp?: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      if (done) return;
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return;
      }
      if (!text) return;
      done = true;
      watcher.close();
      resolve(text);
    };
    const watcher = fs.watch(path.dirname(file), check);
    check();
    const stop = (): void => {
      if (done) return;
      done = true;
      watcher.close();
      reject(new Error(`${file} was never written`));
    };
    giveUp?.then(stop, stop);
  });
}

/** What a cell writes to `marker` so that `interruptAt(marker)` can interrupt it: its kernel's pid. */
export function markerCode(marker: string): string {
  return `require('fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid))`;
}

/**
 * Interrupts the kernel (SIGINT, as Jupyter's interrupt does for tslab) once
 * a cell has written `marker` (see markerCode). Event-driven: it holds at
 * any machine load, unlike a cell timeout, which also covers slow setup cells.
 */
export async function interruptAt(marker: string, giveUp?: Promise<unknown>): Promise<void> {
  const pid = Number(await whenFileWritten(marker, giveUp));
  process.kill(pid, 'SIGINT');
}

/** Runs a `jupyter` subcommand (e.g. nbconvert --to html) in `cwd`; rejects with its log when it fails. */
export function runJupyter(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterCommand(), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => { log += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { log += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`jupyter ${args.join(' ')} exited ${code}:\n${log}`))));
  });
}
