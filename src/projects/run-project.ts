/**
 * `tracklab run`: a notebook or a project folder (tracklab.yaml), with
 * parameters; a sweep when a parameter has several values. Everything is
 * checked (entry point, parameter names, types, paths) for every grid point
 * before the first run is created.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Run, RunStatus } from '../entities';
import { TracklabError } from '../errors';
import { getClient } from '../config';
import { msg } from '../messages';
import type { TrackingClient } from '../tracking/client';
import { SourceType, SystemTag } from '../tracking/system-tags';
import type { Engine } from './engine';
import { entryPoint, loadManifest, resolveManifestParams } from './manifest';
import { readNotebook, type Notebook } from './nbformat';
import { injectParameters, type ParameterValue } from './parameters';
import { describePoint, gridPoints, isSweep, type ParamChoices, type ParamPoint } from './param-grid';
import { createProgressDisplay, type ProgressStream } from './progress';
import { runPoint, type PointResult, type PointTarget } from './project-run';
import { notebookExperiment, splitNote } from './project-experiment';
import { promisePool } from './promise-pool';
import { sweepSummary, type SweepSummary } from './sweep-summary';

export interface RunProjectOptions {
  /** A notebook (.ipynb) or a folder with tracklab.yaml. */
  readonly target: string;
  /** Entry point of a project folder; default: its only one, or `main`. */
  readonly entryPoint?: string;
  /** Values per parameter; several values sweep the grid. Strings are checked against the declared types. */
  readonly parameters?: ParamChoices;
  /** The project run's experiment (name or id); default: the notebook's, else the configured one (see project-experiment.ts). */
  readonly experiment?: string;
  /** Executed notebook path (one run) or folder (sweep; a path ending in .ipynb is refused). Default: `<home>/outputs/<run id>/<notebook>`. */
  readonly output?: string;
  readonly engine?: Engine;
  /** Kernels (or scripts) at once in a sweep; default 1. */
  readonly maxParallel?: number;
  readonly allowErrors?: boolean;
  readonly timeoutMs?: number;
  /** The sweep's key metric; default: the one most points logged, loss-like first. */
  readonly metric?: string;
  readonly mode?: 'min' | 'max';
  readonly signal?: AbortSignal;
  readonly client?: TrackingClient;
  /** Progress and script output; default process.stderr. */
  readonly progress?: ProgressStream;
}

export interface RunProjectResult {
  /** The project run, or the sweep run of a sweep. */
  readonly runId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly points: readonly (PointResult | undefined)[];
  /** Present for sweeps. */
  readonly summary?: SweepSummary;
}

interface Plan {
  readonly dir: string;
  readonly label: string;
  readonly targets: readonly { readonly target: PointTarget; readonly params: Readonly<Record<string, ParameterValue>> }[];
  readonly grid: readonly ParamPoint[];
  readonly tags: Readonly<Record<string, string>>;
  /** Undefined: the client's default experiment. */
  readonly experiment: string | undefined;
}

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

function injected(nb: Notebook, values: Readonly<Record<string, ParameterValue>>): { notebook: Notebook; params: Readonly<Record<string, ParameterValue>> } {
  const notebook = injectParameters(nb, values);
  const meta = notebook.metadata['tracklab'] as { parameters?: Record<string, ParameterValue> } | undefined;
  return { notebook, params: meta?.parameters ?? {} };
}

/** Resolves the target and checks every grid point; nothing runs here. */
export function planProject(options: RunProjectOptions): Plan {
  if (options.output !== undefined && /\.ipynb$/i.test(options.output) && isSweep(options.parameters ?? {})) throw invalid(msg.sweepOutputIsNotebook(options.output));
  const target = path.resolve(options.target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `${target} does not exist. Give a notebook (.ipynb) or a project folder with tracklab.yaml.`, { cause: err });
  }
  const grid = gridPoints(options.parameters ?? {});
  if (stat.isDirectory()) {
    const manifest = loadManifest(target);
    const ep = entryPoint(manifest, options.entryPoint);
    const base = ep.kind === 'notebook' ? readNotebook(ep.file) : undefined;
    const targets = grid.map((point) => {
      const typed = resolveManifestParams(ep, point, target);
      if (base === undefined) return { target: { kind: 'script', file: ep.file } as const, params: typed };
      const { notebook } = injected(base, typed);
      return { target: { kind: 'notebook', file: ep.file, notebook } as const, params: typed };
    });
    return {
      dir: target, label: `${manifest.name}:${ep.name}`, targets, grid, tags: { 'tracklab.project.name': manifest.name, 'tracklab.project.entry_point': ep.name },
      experiment: options.experiment ?? (base && notebookExperiment(base)),
    };
  }
  if (options.entryPoint !== undefined) throw invalid(`-e ${options.entryPoint} names an entry point of a project folder, but ${target} is a file. Pass the folder holding tracklab.yaml.`);
  if (!target.endsWith('.ipynb')) throw invalid(`${target} is not a notebook (.ipynb). Run scripts through an entry point in tracklab.yaml.`);
  const base = readNotebook(target);
  const targets = grid.map((point) => {
    const { notebook, params } = injected(base, point);
    return { target: { kind: 'notebook', file: target, notebook } as const, params };
  });
  return { dir: path.dirname(target), label: path.basename(target), targets, grid, tags: {}, experiment: options.experiment ?? notebookExperiment(base) };
}

/**
 * Runs a notebook or project entry point as a tracked project run, or a grid
 * of them under one sweep run. A failing point is a result, not an exception.
 *
 * @example
 * const { runId, status } = await runProject({ target: 'train.ipynb', parameters: { lr: ['0.01', '0.1'] }, maxParallel: 2 });
 */
export async function runProject(options: RunProjectOptions): Promise<RunProjectResult> {
  const maxParallel = options.maxParallel ?? 1;
  if (!Number.isSafeInteger(maxParallel) || maxParallel < 1) throw invalid(`maxParallel must be a positive whole number, got ${maxParallel}.`);
  if (options.mode !== undefined && options.mode !== 'min' && options.mode !== 'max') throw invalid(`mode must be "min" or "max", got ${JSON.stringify(options.mode)}.`);
  const plan = planProject(options);
  const client = options.client ?? getClient();
  const stream = options.progress ?? process.stderr;
  const common = {
    client, experiment: plan.experiment, projectDir: plan.dir, engine: options.engine, allowErrors: options.allowErrors,
    timeoutMs: options.timeoutMs, signal: options.signal, onOutput: (t: string) => stream.write(t),
  };
  if (!isSweep(options.parameters ?? {})) {
    const only = plan.targets[0]!;
    const point = await runPoint(only.target, { ...common, params: only.params, output: options.output, tags: plan.tags, progress: createProgressDisplay(stream) });
    await noteSplit(client, point.runId, [point], stream);
    return { runId: point.runId, runName: point.runName, status: point.status, points: [point] };
  }
  const result = await runSweep(plan, options, common, maxParallel, stream);
  await noteSplit(client, result.runId, result.points, stream);
  return result;
}

async function noteSplit(client: TrackingClient, projectRunId: string, points: readonly (PointResult | undefined)[], stream: ProgressStream): Promise<void> {
  // Advice only: a store that cannot answer now must not turn finished runs into a failed command.
  const note = await splitNote(client, projectRunId, points.flatMap((p) => (p ? [p.runId] : []))).catch(() => undefined);
  if (note !== undefined) stream.write(`${note}\n`);
}

async function runSweep(
  plan: Plan, options: RunProjectOptions, common: Omit<Parameters<typeof runPoint>[1], 'params'>, maxParallel: number, stream: ProgressStream,
): Promise<RunProjectResult> {
  const client = common.client;
  const choices = options.parameters ?? {};
  const fixed = Object.fromEntries(Object.entries(choices).filter(([, v]) => v.length === 1).map(([k, v]) => [k, v[0]!]));
  const sweep = await client.createRun({
    experiment: plan.experiment, params: fixed, sourceDir: plan.dir,
    tags: { ...plan.tags, [SystemTag.sourceType]: SourceType.sweep, 'tracklab.source.name': plan.label, 'tracklab.sweep.grid': JSON.stringify(choices).slice(0, 8000), 'tracklab.sweep.points': String(plan.grid.length) },
  });
  const n = plan.grid.length;
  stream.write(`sweep ${sweep.runName} (${sweep.runId}): ${n} points, ${maxParallel} at a time\n`);
  let done = 0;
  let points: (PointResult | undefined)[] = [];
  let error: unknown;
  try {
    points = await promisePool(plan.targets, maxParallel, async ({ target, params }, i) => {
      stream.write(`[${i + 1}/${n}] start ${describePoint(plan.grid[i]!)}\n`);
      const output = options.output === undefined ? undefined : path.join(options.output, `${path.basename(target.file, '.ipynb')}-${i + 1}.ipynb`);
      const result = await runPoint(target, { ...common, params, output, parent: sweep.runId, tags: { ...plan.tags, 'tracklab.sweep.index': String(i + 1) } });
      done++;
      stream.write(`[${i + 1}/${n}] ${result.status} ${result.runName} (${done}/${n} done)${result.message ? ` — ${result.message.split('\n')[0]}` : ''}\n`);
      return result;
    }, options.signal);
  } catch (err) {
    error = err;
  }
  const runsPerPoint = await pointRuns(client, points);
  const summary = sweepSummary(points, plan.grid, runsPerPoint, { metric: options.metric, mode: options.mode, caption: `sweep ${sweep.runName}: ${plan.label}` });
  const failed = points.filter((p) => p !== undefined && p.status !== 'FINISHED').length;
  const notRun = points.filter((p) => p === undefined).length;
  const status: RunStatus = options.signal?.aborted ? 'KILLED' : error !== undefined || failed > 0 ? 'FAILED' : 'FINISHED';
  const message = error !== undefined ? `The sweep stopped: ${error instanceof Error ? error.message : String(error)}`
    : status === 'FINISHED' ? null : `${failed} of ${n} points did not finish${notRun ? `, ${notRun} did not start` : ''}.`;
  const best = summary.best === undefined ? undefined : points[summary.best];
  if (best) await client.setTags(sweep.runId, { 'tracklab.sweep.best_run_id': best.runId, ...(summary.metric ? { 'tracklab.sweep.metric': summary.metric } : {}) });
  await client.logArtifact(sweep.runId, { json: { metric: summary.metric ?? null, mode: summary.mode, points: plan.grid.map((p, i) => ({ params: p, runId: points[i]?.runId ?? null, status: points[i]?.status ?? 'NOT RUN', value: summary.values[i] ?? null })) } }, 'sweep-summary.json');
  await client.setTerminated(sweep.runId, status, message ?? undefined);
  if (error !== undefined) throw error;
  return { runId: sweep.runId, runName: sweep.runName, status, points, summary };
}

/** Each point's project run and the runs created inside it (any experiment). */
async function pointRuns(client: TrackingClient, points: readonly (PointResult | undefined)[]): Promise<Run[][]> {
  const ids = points.flatMap((p) => (p ? [p.runId] : []));
  if (ids.length === 0) return points.map(() => []);
  const [own, children] = await Promise.all([
    Promise.all(ids.map((id) => client.getRun(id))),
    client.searchRuns({ filter: `attributes.parent_run_id IN (${ids.map((id) => `'${id}'`).join(', ')})`, orderBy: ['attributes.start_time ASC'], maxResults: 50_000 }),
  ]);
  return points.map((p) => (p ? [own.find((r) => r.info.runId === p.runId)!, ...children.runs.filter((r) => r.info.parentRunId === p.runId)] : []));
}
