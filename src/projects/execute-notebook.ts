import * as path from 'node:path';
import { TracklabError } from '../errors';
import { Env, type HeadlessMode } from '../env-names';
import type { EngineInput, ExecuteNotebookOptions, ExecuteNotebookResult } from './engine';
import { runNative } from './native-engine';
import { runNbclient } from './nbclient-engine';
import { clearOutputs, parseNotebook, readNotebook, type CodeCell, type Notebook } from './nbformat';
import { injectParameters, type ParameterValues } from './parameters';

export type { Engine, ExecuteNotebookOptions, ExecuteNotebookResult, FailedCell } from './engine';

/**
 * Runs a tslab notebook headless and returns the executed notebook. Stops at
 * the first failing cell unless `allowErrors`. A failing cell is a result
 * (`ok: false` plus `failedCell`), not an exception; bad input (a missing
 * file, a parameter of the wrong type, no Jupyter for `engine: 'nbclient'`)
 * throws a TracklabError before any kernel starts. Runs the notebook left
 * open end at the cell that stopped it: FAILED naming it, KILLED when
 * interrupted (see notebook/headless.ts).
 *
 * @example
 * const result = await executeNotebook('train.ipynb', { parameters: { lr: '0.03' } });
 * if (!result.ok) console.error(`cell ${result.failedCell?.index}: ${result.failedCell?.evalue}`);
 * writeNotebook('train.out.ipynb', result.notebook);
 */
export async function executeNotebook(source: string | Notebook | object, options: ExecuteNotebookOptions = {}): Promise<ExecuteNotebookResult> {
  const engine = options.engine ?? 'native';
  if (engine !== 'native' && engine !== 'nbclient') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `Unknown engine ${JSON.stringify(engine)}; use "native" or "nbclient".`);
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}.`);
  }
  let notebook = typeof source === 'string' ? readNotebook(source) : parseNotebook(source);
  const cwd = path.resolve(options.cwd ?? (typeof source === 'string' ? path.dirname(path.resolve(source)) : process.cwd()));
  if (options.parameters) notebook = injectParameters(notebook, options.parameters);
  notebook = clearOutputs(notebook);
  // Tells tracklab inside the kernel that a failing cell ends the execution, so it ends
  // the runs left open FAILED instead of letting the kernel's normal exit end them FINISHED.
  const mode: HeadlessMode = options.allowErrors ? 'allow-errors' : 'stop-on-error';
  const input: EngineInput = { notebook, cwd, options: { ...options, env: { ...options.env, [Env.headless]: mode } } };
  return engine === 'native' ? runNative(input) : runNbclient(input);
}
