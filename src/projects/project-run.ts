/**
 * One project run: a tracked run whose params are the given parameters, that
 * executes a notebook (or script) with the run as the default parent of every
 * run created inside, stores the executed notebook as `notebook.ipynb`, and
 * ends FINISHED, FAILED (naming the cell or exit code) or KILLED.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunStatus } from '../entities';
import { isTracklabError } from '../errors';
import { emptyRecord } from '../records';
import type { TrackingClient } from '../tracking/client';
import { moduleVersion, SourceType, SystemTag } from '../tracking/system-tags';
import { cellLabel } from '../cell-label';
import { Env } from '../env-names';
import { executeNotebook, type Engine, type ExecuteNotebookResult, type FailedCell } from './execute-notebook';
import { tslabPackageDir } from './kernel-launch';
import { writeNotebook, type Notebook } from './nbformat';
import type { ParameterValue } from './parameters';
import type { ProgressDisplay } from './progress';
import { runScript } from './run-script';

/** What runs: a notebook (parameters already injected) or a script. */
export type PointTarget =
  | { readonly kind: 'notebook'; readonly file: string; readonly notebook: Notebook }
  | { readonly kind: 'script'; readonly file: string };

export interface PointOptions {
  readonly client: TrackingClient;
  /** Experiment name or id; created by name when missing. Default: the configured one. */
  readonly experiment?: string;
  /** The folder whose git state describes the run (the project folder). */
  readonly projectDir: string;
  /** The parameters, as checked and typed (they become the run's params). */
  readonly params: Readonly<Record<string, ParameterValue>>;
  /** Where the executed notebook is written. */
  readonly output?: string;
  readonly parent?: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly engine?: Engine;
  readonly allowErrors?: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly progress?: ProgressDisplay;
  /** Script output, as it comes. */
  readonly onOutput?: (text: string) => unknown;
}

export interface PointResult {
  readonly runId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly message: string | null;
  /** The executed notebook on disk (notebook entry points only). */
  readonly output?: string;
  readonly params: Readonly<Record<string, ParameterValue>>;
}

/** `Cell 4 [3] \`throw new Error(x)\` failed: RangeError: bad value`. */
export function describeFailedCell(nb: Notebook, failed: FailedCell): string {
  const evalue = failed.evalue.length > 2000 ? `${failed.evalue.slice(0, 1999)}…` : failed.evalue;
  return `${cellLabel(failed.index, failed.executionCount, nb.cells[failed.index]?.source ?? '')} failed: ${failed.ename}: ${evalue}`;
}

function outcomeOf(result: ExecuteNotebookResult): { status: RunStatus; message: string | null } {
  if (result.interrupted) return { status: 'KILLED', message: 'Interrupted (SIGINT/SIGTERM); the kernel was stopped.' };
  if (result.failedCell) return { status: 'FAILED', message: describeFailedCell(result.notebook, result.failedCell) };
  if (!result.ok) return { status: 'FAILED', message: result.timedOut ? 'A cell ran past the time limit.' : 'The notebook did not finish.' };
  return { status: 'FINISHED', message: null };
}

let kernelVersions: Readonly<Record<string, string>> | undefined;

/**
 * The kernel's tslab and the TypeScript it compiles cells with (not the
 * project's own), read once: every point of a sweep starts the same install.
 */
function kernelVersionTags(): Readonly<Record<string, string>> {
  if (kernelVersions === undefined) {
    const tags: Record<string, string> = {};
    const tslab = moduleVersion('tslab', tslabPackageDir());
    if (tslab) tags['tracklab.version.tslab'] = tslab;
    const typescript = moduleVersion('@tslab/typescript-for-tslab', tslabPackageDir());
    if (typescript) tags['tracklab.version.typescript'] = typescript;
    kernelVersions = tags;
  }
  return kernelVersions;
}

/**
 * Runs one point as a project run and ends it. Errors after the run exists
 * end it FAILED and are returned as the result's message, so a sweep goes on
 * with its other points.
 */
export async function runPoint(target: PointTarget, options: PointOptions): Promise<PointResult> {
  const { client } = options;
  const info = await client.createRun({
    experiment: options.experiment,
    params: options.params,
    parent: options.parent,
    name: options.name,
    sourceDir: options.projectDir,
    tags: {
      [SystemTag.sourceType]: SourceType.project,
      'tracklab.source.name': target.file,
      ...(target.kind === 'notebook' ? { 'tracklab.project.notebook': target.file, 'tracklab.project.engine': options.engine ?? 'native' } : {}),
      ...(target.kind === 'notebook' ? kernelVersionTags() : {}),
      'tracklab.project.parameters': JSON.stringify(options.params).slice(0, 8000),
      ...options.tags,
    },
  });
  const experiment = await client.getExperiment(info.experimentId);
  const env: Record<string, string> = {
    ...client.childEnv(),
    [Env.parentRunId]: info.runId,
    [Env.experiment]: experiment.name,
    [Env.projectParameters]: JSON.stringify(options.params),
  };
  let status: RunStatus = 'FAILED';
  let message: string | null = null;
  let output: string | undefined;
  try {
    if (target.kind === 'notebook') {
      const result = await executeNotebook(target.notebook, {
        engine: options.engine,
        cwd: path.dirname(target.file),
        env: { ...env, [Env.notebookPath]: target.file },
        timeoutMs: options.timeoutMs,
        allowErrors: options.allowErrors,
        signal: options.signal,
        onProgress: options.progress?.update,
      });
      ({ status, message } = outcomeOf(result));
      output = options.output ?? path.join(await client.artifactRoot(), 'outputs', info.runId, path.basename(target.file));
      fs.mkdirSync(path.dirname(output), { recursive: true });
      writeNotebook(output, result.notebook);
      await client.logArtifact(info.runId, output, 'notebook.ipynb');
    } else {
      const result = await runScript({
        file: target.file, cwd: options.projectDir, params: scalarParams(options.params), env, signal: options.signal,
        onOutput: options.onOutput,
      });
      if (result.interrupted) {
        status = 'KILLED';
        message = 'Interrupted (SIGINT/SIGTERM); the script was stopped.';
      } else if (result.exitCode === 0) {
        status = 'FINISHED';
      } else {
        const last = result.stderrTail.trim().split('\n').filter(Boolean).slice(-1)[0];
        status = 'FAILED';
        message = `${path.basename(target.file)} exited with ${result.exitCode === null ? `signal ${result.signal}` : `code ${result.exitCode}`}${last ? `: ${last}` : ''}`;
      }
    }
  } catch (err) {
    status = options.signal?.aborted ? 'KILLED' : 'FAILED';
    message = isTracklabError(err) ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } finally {
    // The caller reports the outcome (`tracklab run` prints the run line and any message): a summary here said it twice.
    options.progress?.finish();
    await client.setTerminated(info.runId, status, message ?? undefined);
  }
  return { runId: info.runId, runName: info.runName, status, message, ...(output ? { output } : {}), params: options.params };
}

function scalarParams(params: Readonly<Record<string, ParameterValue>>): Record<string, string | number | boolean> {
  const out = emptyRecord<string | number | boolean>();
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  return out;
}
