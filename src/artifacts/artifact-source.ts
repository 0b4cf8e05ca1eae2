import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';
import { normalizeArtifactPath, normalizeArtifactPrefix } from './artifact-path';

/**
 * What `logArtifact` accepts: a local file or folder path, raw bytes, text,
 * or a JSON-serialisable value.
 */
export type ArtifactSource = string | Uint8Array | { readonly text: string } | { readonly json: unknown };

/** One file to store: its validated artifact path and where its bytes come from. */
export interface PendingArtifact {
  readonly path: string;
  readonly source: string | Uint8Array;
}

export function isTextSource(value: unknown): value is { readonly text: string } {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) &&
    typeof (value as { text?: unknown }).text === 'string';
}

export function isJsonSource(value: unknown): value is { readonly json: unknown } {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) &&
    Object.prototype.hasOwnProperty.call(value, 'json');
}

/**
 * JSON with object keys sorted and 2-space indent, so equal values give
 * equal bytes (and dedupe to one blob). Ends with a newline.
 *
 * @example
 * stableJson({ b: 1, a: [2] }); // '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
 */
export function stableJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      // fromEntries defines own properties, so a "__proto__" key stays data.
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
    }, 2);
  } catch (cause) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The JSON artifact cannot be serialised (${cause instanceof Error ? cause.message : String(cause)}). ` +
      'Pass plain data without cycles or BigInt values.', { cause });
  }
  if (text === undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The JSON artifact is ${typeof value}, which has no JSON form. Pass an object, array, string, number or boolean.`);
  }
  return text + '\n';
}

function needPath(kind: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE',
    `An artifact path is required when logging ${kind}, because there is no file name to take it from. ` +
    'Pass one, e.g. logArtifact(runId, data, "results/summary.json").');
}

function leavesFolder(dir: string, link: string, real: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE',
    `The folder ${dir} holds the symlink "${link}", which leads outside it (to ${real}), so nothing was logged. `
    + 'A symlink is followed only when its real path stays inside the logged folder. Copy the file into the folder, '
    + `or log it on its own with logArtifact(runId, ${JSON.stringify(real)}).`);
}

/**
 * Files under `dir` (recursively, sorted), as forward-slash paths relative
 * to it. A symlink to a file is followed only when its real path stays under
 * `realRoot` (the logged folder's real path), and is then read through that
 * real path; one that leads outside is refused. Symlinked folders are not
 * followed, so cycles cannot loop.
 */
async function walk(dir: string, rel: string, realRoot: string, out: { rel: string; file: string }[]): Promise<void> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      await walk(file, childRel, realRoot, out);
    } else if (entry.isFile()) {
      out.push({ rel: childRel, file });
    } else if (entry.isSymbolicLink()) {
      const real = await fs.promises.realpath(file).catch(() => undefined);
      if (real === undefined) continue; // dangling: nothing to log
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw leavesFolder(realRoot, childRel, real);
      const st = await fs.promises.stat(real).catch(() => undefined);
      if (st?.isFile()) out.push({ rel: childRel, file: real });
    }
    // Sockets, FIFOs and devices are skipped: reading a FIFO would block forever.
  }
}

/**
 * Turns a local folder into pending artifacts under `prefix` (`''` = run root).
 * Every path is validated before anything is stored.
 */
export async function planDirectory(dir: string, prefix: string | undefined): Promise<PendingArtifact[]> {
  const base = normalizeArtifactPrefix(prefix);
  const files: { rel: string; file: string }[] = [];
  try {
    await walk(dir, '', await fs.promises.realpath(dir), files);
  } catch (cause) {
    if (cause instanceof TracklabError) throw cause;
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
      `Cannot read the folder ${dir} to log it (${(cause as NodeJS.ErrnoException).code ?? String(cause)}). Check the path and its permissions.`, { cause });
  }
  return files.map(({ rel, file }) => ({
    path: normalizeArtifactPath(base === '' ? rel : `${base}/${rel}`),
    source: file,
  }));
}

/**
 * Resolves any {@link ArtifactSource} into validated pending files. A file
 * defaults to its base name; a folder defaults to its base name as prefix;
 * bytes, text and JSON need `artifactPath`.
 */
export async function planArtifacts(source: ArtifactSource, artifactPath?: string): Promise<PendingArtifact[]> {
  if (artifactPath !== undefined && typeof artifactPath !== 'string') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The artifact path must be a string, got ${typeof artifactPath}.`);
  }
  if (typeof source === 'string') {
    const st = await fs.promises.stat(source).catch((cause: unknown) => {
      throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
        `Cannot log ${source}: no such file or folder. Pass an existing local path, or { text } / { json } / a Buffer for in-memory content.`, { cause });
    });
    if (st.isDirectory()) return planDirectory(source, artifactPath ?? path.basename(path.resolve(source)));
    if (!st.isFile()) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `Cannot log ${source}: it is not a regular file or folder.`);
    }
    return [{ path: normalizeArtifactPath(artifactPath ?? path.basename(source)), source }];
  }
  if (source instanceof Uint8Array) {
    if (artifactPath === undefined) throw needPath('bytes');
    return [{ path: normalizeArtifactPath(artifactPath), source }];
  }
  if (isTextSource(source)) {
    if (artifactPath === undefined) throw needPath('text');
    return [{ path: normalizeArtifactPath(artifactPath), source: Buffer.from(source.text, 'utf8') }];
  }
  if (isJsonSource(source)) {
    if (artifactPath === undefined) throw needPath('JSON');
    const file = normalizeArtifactPath(artifactPath);
    return [{ path: file, source: Buffer.from(stableJson(source.json), 'utf8') }];
  }
  throw new TracklabError('INVALID_PARAMETER_VALUE',
    'logArtifact() takes a local file or folder path, a Buffer/Uint8Array, { text: string } or { json: value }. ' +
    `Got ${source === null ? 'null' : typeof source}.`);
}
