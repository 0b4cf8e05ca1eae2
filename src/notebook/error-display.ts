/**
 * How a TracklabError reads in a cell's output. tslab prints the error of a
 * cell with `console.error(e)` (executor.js), that is util.inspect, whose
 * default for an Error is its whole stack through tracklab's own frames, its
 * `code` property and, for an error thrown out of `vm.runInThisContext`, an
 * excerpt of the line in tracklab that threw (vm's displayErrors writes it
 * into `stack`). None of that helps a user who passed a bad value. In a
 * kernel a TracklabError inspects as `TracklabError [CODE]: message`, its
 * cause, and the stack frames of the user's own code (cells and files
 * outside tracklab and node_modules). `error.stack` itself is untouched, and
 * scripts keep Node's default display.
 */
import * as path from 'node:path';
import { inspect } from 'node:util';
import { TracklabError } from '../errors';

/** dist/, where every file of tracklab's own code is (this file is dist/src/notebook/error-display.js). */
const OWN_CODE = path.resolve(__dirname, '..', '..') + path.sep;

/** Node's default Error.stackTraceLimit. */
const NODE_DEFAULT_FRAMES = 10;
/** Enough for an error from the store to reach past tracklab's frames into the cell that called it. */
const KERNEL_FRAMES = 50;

/** Makes TracklabErrors inspect as their code, message and user frames (see above); idempotent. */
export function installErrorDisplay(): void {
  Object.defineProperty(TracklabError.prototype, inspect.custom, { value: inspectInCell, configurable: true, writable: true });
  // An error thrown in the store has ten or more frames of tracklab's own
  // code (store, transaction, client) above the cell's, and Node keeps ten,
  // so the cell frame this display shows was cut off. A limit the user set
  // (anything but Node's default) is theirs and stays.
  if (Error.stackTraceLimit === NODE_DEFAULT_FRAMES) Error.stackTraceLimit = KERNEL_FRAMES;
}

function inspectInCell(this: TracklabError): string {
  const lines = [this.toString()];
  const cause: unknown = this.cause;
  if (cause !== undefined) lines.push(`  [cause] ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
  for (const line of (this.stack ?? '').split('\n')) {
    // `at async evalmachine.<anonymous>:1:28`: an awaited frame without a function name.
    const frame = /^\s+at (?:async )?(?:.* \()?(.*?)\)?$/.exec(line);
    if (frame && isUserFrame(frame[1])) lines.push(line);
  }
  return lines.join('\n');
}

/** A cell (`evalmachine.<anonymous>`) or a file of the user's, not tracklab's, a dependency's or Node's. */
function isUserFrame(location: string): boolean {
  if (location.startsWith('evalmachine.')) return true;
  const file = location.startsWith('file://') ? location.slice('file://'.length) : location;
  return path.isAbsolute(file) && !file.startsWith(OWN_CODE) && !file.includes(`${path.sep}node_modules${path.sep}`);
}
