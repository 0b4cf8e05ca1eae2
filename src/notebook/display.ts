/**
 * Sends display bundles to the notebook. Inside tslab, any MIME bundle goes
 * out as display_data (or update_display_data for a display id). Outside a
 * kernel the text/plain part is printed. Display never throws into the
 * user's cell: a failure warns once and is dropped.
 */
import { randomBytes } from 'node:crypto';
import type { DisplayBundle } from '../views/bundle';
import { Mime, plainText } from '../views/bundle';
import { kernelBridge, type KernelDisplayMessage, type WriteDisplayData } from './kernel';
import { notebookMsg, warnOnce } from './messages';

export interface DisplayOptions {
  /** Reuse this id to update the output in place later. */
  readonly displayId?: string;
  /** Replace the existing output with `displayId` instead of adding one. */
  readonly update?: boolean;
}

/** A fresh display id (16 hex chars, like tslab's own). */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** JSON mimetypes must travel as objects: frontends ignore a stringified spec. */
function toMessage(bundle: DisplayBundle, displayId: string | undefined): KernelDisplayMessage {
  const data: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(bundle.data)) {
    if (value === undefined) continue;
    if (isJsonMime(mime) && typeof value === 'string') {
      data[mime] = JSON.parse(value) as unknown;
    } else {
      data[mime] = value;
    }
  }
  if (typeof data[Mime.plain] !== 'string') data[Mime.plain] = '';
  const message: KernelDisplayMessage = {
    data,
    metadata: { ...(bundle.metadata ?? {}) },
    ...(displayId !== undefined ? { transient: { display_id: displayId } } : {}),
  };
  return message;
}

/** The kernel's display writer for the cell running now, or undefined outside a kernel. */
export function currentWriter(): WriteDisplayData | undefined {
  const bridge = kernelBridge();
  const writer = bridge?.jupyter.lastWriteDisplayData;
  return typeof writer === 'function' ? writer : undefined;
}

function printPlain(bundle: DisplayBundle): void {
  const text = plainText(bundle);
  if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Sends one bundle through a given writer (or prints it outside a kernel).
 * Returns false when sending failed (already warned).
 */
export function sendBundle(
  writer: WriteDisplayData | undefined,
  bundle: DisplayBundle,
  opts: DisplayOptions = {},
): boolean {
  try {
    if (!writer) {
      printPlain(bundle);
      return true;
    }
    writer(toMessage(bundle, opts.displayId), opts.update === true && opts.displayId !== undefined);
    return true;
  } catch (error) {
    warnOnce('display-failed', notebookMsg.displayFailed(error));
    return false;
  }
}

/**
 * Shows a MIME bundle under the running cell. With `displayId` and
 * `update: true`, replaces an earlier output with that id instead.
 *
 * @example
 * display({ data: { 'text/html': '<b>done</b>', 'text/plain': 'done' } });
 * const id = newDisplayId();
 * display(bundle, { displayId: id });
 * display(next, { displayId: id, update: true });
 */
export function display(bundle: DisplayBundle, opts: DisplayOptions = {}): void {
  sendBundle(currentWriter(), bundle, opts);
}
