/**
 * Every warning the notebook bridge prints, in one module so tests can match
 * them. Warnings go to stderr once per kind; the user's cell keeps running.
 */

function detail(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export const notebookMsg = {
  kernelModuleMissing: () =>
    'tracklab: running inside tslab, but the kernel module tslab/dist/jupyter.js was not found in require.cache. ' +
    'Rich display, live cards and cell capture are off; logging still works. Use tslab 1.0.x to get them back.',
  kernelShapeUnexpected: (what: string) =>
    `tracklab: the tslab kernel does not look as expected (${what}). ` +
    'Rich display, live cards and cell capture are off; logging still works. Use tslab 1.0.x to get them back.',
  displayFailed: (error: unknown) =>
    `tracklab: could not send an output to the notebook (${detail(error)}). The cell continues; further display errors are silent.`,
  hookListenerFailed: (error: unknown) =>
    `tracklab: a cell hook failed (${detail(error)}). The cell result is unaffected; further hook errors are silent.`,
  autologFailed: (what: string, error: unknown) =>
    `tracklab autolog: could not ${what} (${detail(error)}). Your cell result is unaffected; further errors of this kind are silent.`,
  logOutsideCell: () =>
    'log() was called with no active run while no cell is running, so there is no cell to open a run for ' +
    '(was the cell interrupted, or its training loop not awaited?). Await the loop inside the cell, or use tracklab.startRun() for runs that outlive a cell.',
  kernelShutDown: () => 'The notebook kernel was shut down while this run was open.',
  kernelRestarted: () => 'The notebook kernel was restarted while this run was open.',
  namedParamSkipped: (name: string, reason: string) =>
    `tracklab autolog: ${JSON.stringify(name)}, named in autolog({ params }), is not stored as a param: ${reason.replace(/\.$/, '')}.`,
  namedParamUndefined: () => "it is not defined (or is undefined) when the cell's first log() opens the run; define it in an earlier cell",
  namedParamKind: (kind: string) => `it is ${kind}; a param is a number, string, boolean, array or plain object`,
  namedParamHoldsCode: (path: string) => `it holds a function (${path}), so it is code or a module rather than settings; name its fields instead`,
  namedParamOverCap: (max: number) => `a run takes at most ${max} params from autolog`,
  autologNoKernel: () =>
    'tracklab autolog: not running inside a tslab kernel, so cells cannot be captured. ' +
    'Runs still open on the first log() and end when the process exits.',
} as const;

export { warnOnce, warnedKeys } from '../warn-once';
