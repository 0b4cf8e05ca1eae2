/**
 * Every text autolog prints or throws, in one module so tests can match them.
 * Failures inside a tracked fit are warnings, printed once per kind: training
 * goes on without the part that failed.
 */

function detail(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export const autologMsg = {
  optionsNotObject: (got: unknown) =>
    `TensorFlow.js autolog takes an options object like { batches: true }, got ${show(got)}.`,
  unknownOption: (key: string, known: readonly string[]) =>
    `Unknown TensorFlow.js autolog option ${JSON.stringify(key)}; the options are ${known.join(', ')}.`,
  optionNotBoolean: (key: string, got: unknown) =>
    `TensorFlow.js autolog option ${JSON.stringify(key)} must be true or false, got ${show(got)}.`,
  hookNotFunction: (key: string) =>
    `TensorFlow.js autolog hook ${JSON.stringify(key)} must be a function returning a run or undefined.`,
  fitFailed: (what: string, error: unknown) =>
    `tracklab autolog (tfjs): could not ${what} (${detail(error)}). Training continues; further errors of this kind are silent.`,
} as const;

export { warnOnce, warnedKeys as autologWarnings } from '../warn-once';
