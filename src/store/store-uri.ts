/**
 * Where a store lives, as a URI (MLflow's tracking URI):
 * - a plain path, or `sqlite:///abs/path/tracklab.db`: the embedded SQLite store
 *   (a path names the store folder; a `sqlite:` URI names the database file);
 * - `postgresql://user:pass@host:port/db?sslmode=…` (also `postgres://`);
 * - `http(s)://host:port`: a tracklab server (`tracklab server`), through the remote store (store/http/).
 *
 * A parsed URI carries its password out of sight: `display` masks it, and
 * only `connectionUri()` gives the full text back, for the driver. JSON,
 * `inspect` and template strings of a StoreUri never show it.
 */
import * as path from 'node:path';
import { TracklabError } from '../errors';

export type StoreScheme = 'sqlite' | 'postgresql' | 'http';

interface UriBase {
  /** The URI with any password replaced by `***`: the only form that may reach output, errors, tags or logs. */
  readonly display: string;
}

export interface SqliteUri extends UriBase {
  readonly scheme: 'sqlite';
  /** Absolute folder of the store (artifacts default to `<folder>/artifacts`). */
  readonly folder: string;
  /** Absolute path of the database file. */
  readonly file: string;
}

export interface ServerUri extends UriBase {
  readonly scheme: 'postgresql' | 'http';
}

export type StoreUri = SqliteUri | ServerUri;

/** The database file of a store folder given as a plain path. */
export const SQLITE_FILE = 'tracklab.db';

const secrets = new WeakMap<StoreUri, string>();

/**
 * Parses a tracking URI or store path; relative paths resolve against `cwd`.
 * Throws INVALID_PARAMETER_VALUE for an unknown scheme or a malformed URI.
 * @example parseStoreUri('postgresql://ana:pw@db:5432/tracklab').display // 'postgresql://ana:***@db:5432/tracklab'
 */
export function parseStoreUri(text: string, cwd: string = process.cwd()): StoreUri {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      'The tracking URI is empty. Pass a store folder, sqlite:///abs/path/tracklab.db or postgresql://user@host:5432/db.');
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  // A one-letter scheme is a Windows drive (C:\...), which is a path.
  if (scheme === undefined || scheme.length === 1) return sqliteFolder(path.resolve(cwd, text));
  if (scheme === 'sqlite') return sqliteFile(text, cwd);
  if (scheme === 'file') return sqliteFolder(fileUrlPath(text, 'tracking URI'));
  if (scheme === 'postgresql' || scheme === 'postgres') return serverUri('postgresql', text);
  if (scheme === 'http' || scheme === 'https') return serverUri('http', text);
  throw new TracklabError('INVALID_PARAMETER_VALUE',
    `The tracking URI ${JSON.stringify(maskUri(text))} has the scheme "${scheme}:", which tracklab does not know. `
    + 'Use a store folder, sqlite:///abs/path/tracklab.db, or postgresql://user@host:5432/db.');
}

/** The full URI, password included. Only for handing to a driver; never print it. */
export function connectionUri(uri: StoreUri): string {
  return secrets.get(uri) ?? uri.display;
}

/**
 * A known password at least this long is also masked wherever it appears on
 * its own. A shorter one is masked only as a credential (`user:pw@`,
 * `password=pw`): a bare match of one to five characters is nearly always a
 * coincidence ("e" is in "authentication"), which garbles the message and,
 * by where the `***` falls, shows which letters the password is made of. At
 * six characters an ordinary word is rarely hit by chance, while a password
 * echoed outside a credential form (which no known driver message does) is
 * still caught.
 */
export const MIN_BARE_SECRET_LENGTH = 6;

/**
 * `scheme://user:password@` (the user part may be empty). A scheme is matched
 * only from the start of its run of scheme characters: tried from inside the
 * run too, a long run that is no URI (an echoed 15 MB field) cost time
 * quadratic in its length, and a request could hold the server for hours.
 */
const URI_PASSWORD = /(?<![a-zA-Z0-9+.-])([a-zA-Z0-9+.-]+:\/\/[^:/?#@\s]*):[^@/?#\s]*@/g;
/** `password=value` as a URI parameter or a libpq key-value pair, the value quoted or not. */
const PASSWORD_PARAM = /((?:^|[?&;\s])password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&;\s]*)/gi;

/**
 * Replaces the password of every URI in `text` (`scheme://user:pass@`), every
 * `password=` parameter, and each of `secrets` (a password known on its own,
 * as a driver holds it) with `***`: a secret in those credential forms always,
 * and anywhere else in the text when it has at least
 * {@link MIN_BARE_SECRET_LENGTH} characters. The one masking function:
 * messages, tags, provenance and logs that could hold a store URI pass through it.
 * @example maskUri('could not reach postgres://ana:s3cret@db/x') // 'could not reach postgres://ana:***@db/x'
 * @example maskUri('password authentication failed for user "ana"', ['e']) // unchanged
 */
export function maskUri(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Known secrets in credential position first: one holding `/`, `@` or a space defeats the general patterns below.
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const s = escapeRegExp(secret);
    out = out
      .replace(new RegExp(`:${s}@`, 'g'), ':***@')
      .replace(new RegExp(`(password\\s*=\\s*)(?:${s}|'${s}')(?=$|[&;\\s])`, 'gi'), '$1***');
  }
  out = out.replace(URI_PASSWORD, '$1:***@').replace(PASSWORD_PARAM, '$1***');
  for (const secret of secrets) if (secret.length >= MIN_BARE_SECRET_LENGTH) out = out.split(secret).join('***');
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * An error as it may be kept or shown: `err` itself when its message and
 * stack hold nothing to mask, else a copy (message, stack, code) masked by `maskUri`.
 */
export function maskedError(err: unknown, secrets: readonly string[] = []): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? maskUri(err, secrets) : err;
  const message = maskUri(err.message, secrets);
  const stack = err.stack === undefined ? undefined : maskUri(err.stack, secrets);
  if (message === err.message && stack === err.stack) return err;
  const copy = new Error(message);
  copy.name = err.name;
  copy.stack = stack;
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}

/**
 * The artifact root as an absolute folder: a path (relative to `cwd`) or a
 * `file:///abs/path` URI.
 */
export function parseArtifactRoot(text: string, cwd: string = process.cwd()): string {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'The artifact root is empty. Pass a folder, or file:///abs/path.');
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme.length === 1) return path.resolve(cwd, text);
  if (scheme === 'file') return fileUrlPath(text, 'artifact root');
  throw new TracklabError('INVALID_PARAMETER_VALUE',
    `The artifact root ${JSON.stringify(maskUri(text))} has the scheme "${scheme}:"; tracklab stores artifacts in a folder. `
    + 'Use a path or file:///abs/path (a folder every machine of the team mounts).');
}

function sqliteFolder(folder: string): SqliteUri {
  return { scheme: 'sqlite', folder, file: path.join(folder, SQLITE_FILE), display: folder };
}

/** `sqlite:///abs/file.db` (also SQLAlchemy's `sqlite:////abs/file.db`), or `sqlite:relative/file.db`. */
function sqliteFile(text: string, cwd: string): SqliteUri {
  let rest = text.slice('sqlite:'.length);
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    if (!rest.startsWith('/')) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `The SQLite URI ${JSON.stringify(text)} names a host; SQLite stores are files. Write sqlite:///abs/path/tracklab.db (three slashes).`);
    }
    rest = rest.replace(/^\/+/, '/');
  }
  if (rest === '' || rest.endsWith('/')) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The SQLite URI ${JSON.stringify(text)} names no database file. Write sqlite:///abs/path/tracklab.db, or give the store folder as a plain path.`);
  }
  const file = path.resolve(cwd, decodeURIComponent(rest.replace(/[?#].*$/, '')));
  return { scheme: 'sqlite', folder: path.dirname(file), file, display: `sqlite://${file}` };
}

function fileUrlPath(text: string, what: string): string {
  try {
    return new URL(text).pathname === '' ? '/' : decodeURIComponent(new URL(text).pathname);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The ${what} ${JSON.stringify(text)} is not a valid file URI. Write file:///abs/path.`, { cause: err });
  }
}

function serverUri(scheme: 'postgresql' | 'http', text: string): ServerUri {
  // PostgreSQL URIs have forms URL() refuses (postgresql://user@/db?host=/socket/dir): the driver parses them.
  if (!/^[a-zA-Z]+:\/\//.test(text) || (scheme === 'http' && !/^https?:\/\/[^/?#]/i.test(text))) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `The tracking URI ${JSON.stringify(maskUri(text))} is not a valid URI. Write it as `
      + `${scheme === 'http' ? 'https://host:port' : 'postgresql://user:password@host:5432/database'}.`);
  }
  const uri: ServerUri = { scheme, display: maskUri(text) };
  secrets.set(uri, text);
  return uri;
}
