/**
 * `tracklab run NOTEBOOK|DIR`: a parameterised notebook (or project entry
 * point) as a tracked project run; a sweep when a parameter has several values.
 *
 * - `-P key=value`: a notebook's values are checked against its `parameters`
 *   cell, a project's against tracklab.yaml. `-P lr=0.01,0.1` sweeps; write
 *   `\,` for a comma that is data (`-P 'title=a\,b'`); commas inside [...],
 *   {...} or "..." never split, so JSON values need no escaping.
 * - `-e ENTRY` picks the entry point of a project folder (`--experiment` has no
 *   short form here, unlike in `tracklab runs`: mlflow run's -e is the entry point too).
 * - The project run's experiment: `--experiment`, else the one the notebook's
 *   `configure({ experiment: '...' })` names, else the default (projects/project-experiment.ts).
 * - The executed notebook goes to `--output` (a file; a folder for sweeps,
 *   `<name>-<point>.ipynb` each, so a sweep refuses a path ending in .ipynb), else `<home>/outputs/<run id>/<name>.ipynb`:
 *   the input folder is never written to, and runs never overwrite each other.
 *   It is also stored on the run as the artifact `notebook.ipynb`.
 * - Progress and script output go to stderr; the result (output path, run id,
 *   sweep table) to stdout.
 *
 * Exit codes: 0 every run FINISHED; 1 a run FAILED, or a tracklab error such
 * as a bad parameter (checked before anything runs); 2 a usage error;
 * 130 interrupted (SIGINT/SIGTERM: the runs end KILLED and kernels are stopped).
 */
import type { TrackingClient } from '../../tracking/client';
import { parseParamArgs } from '../../projects/param-grid';
import { runProject, type RunProjectResult } from '../../projects/run-project';
import { flag, int, parse, str, strings, UsageError } from '../args';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab run NOTEBOOK|DIR [-e ENTRY] [-P key=value[,value...]]... [--experiment E] [--output FILE|DIR] '
  + '[--engine native|nbclient] [--max-parallel N] [--allow-errors] [--timeout SECONDS] [--metric M] [--mode min|max] [--json]';

/** Exit code of an interrupted run, as a shell reports SIGINT. */
export const INTERRUPTED_EXIT = 130;

/** Runs the command; resolves to the exit code (see the module comment). */
export async function run(client: TrackingClient, argv: readonly string[], io: Io): Promise<number> {
  const args = parse(argv, {
    'entry-point': { type: 'string', short: 'e' }, param: { type: 'string', short: 'P', multiple: true },
    experiment: { type: 'string' }, output: { type: 'string', short: 'o' }, engine: { type: 'string' },
    'max-parallel': { type: 'string' }, 'allow-errors': { type: 'boolean' }, timeout: { type: 'string' },
    metric: { type: 'string' }, mode: { type: 'string' }, json: { type: 'boolean' },
  }, 1);
  const target = args.positionals[0];
  if (!target) throw new UsageError(`Missing NOTEBOOK or DIR. Usage: ${usage}`);
  const engine = str(args, 'engine');
  if (engine !== undefined && engine !== 'native' && engine !== 'nbclient') throw new UsageError(`--engine takes native or nbclient, got "${engine}".`);
  const mode = str(args, 'mode');
  if (mode !== undefined && mode !== 'min' && mode !== 'max') throw new UsageError(`--mode takes min or max, got "${mode}".`);
  const timeout = str(args, 'timeout');
  const timeoutMs = timeout === undefined ? undefined : Number(timeout) * 1000;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout takes a positive number of seconds per cell, got "${timeout}".`);

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    io.err(`\n${signal}: stopping; the runs end KILLED.`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: RunProjectResult;
  try {
    result = await runProject({
      target, client, entryPoint: str(args, 'entry-point'), parameters: parseParamArgs(strings(args, 'param')),
      experiment: str(args, 'experiment'), output: str(args, 'output'), engine, maxParallel: int(args, 'max-parallel', 1),
      allowErrors: flag(args, 'allow-errors'), timeoutMs, metric: str(args, 'metric'), mode, signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report(io, result, flag(args, 'json'));
  return result.status === 'FINISHED' ? 0 : result.status === 'KILLED' ? INTERRUPTED_EXIT : 1;
}

function report(io: Io, result: RunProjectResult, json: boolean): void {
  if (json) {
    printJson(io, {
      runId: result.runId, runName: result.runName, status: result.status, points: result.points,
      ...(result.summary ? { metric: result.summary.metric ?? null, mode: result.summary.mode, best: result.summary.best ?? null } : {}),
    });
    return;
  }
  if (result.summary) {
    printTable(io, result.summary.table);
    io.out(`sweep run ${result.runName} (${result.runId}) ${result.status}`);
    return;
  }
  const point = result.points[0]!;
  if (point.message) io.err(`${point.status}: ${point.message}`);
  if (point.output) io.out(`notebook ${point.output}`);
  io.out(`run ${point.runName} (${point.runId}) ${point.status}`);
}
