/**
 * The one place where the driver's and the server's errors become
 * TracklabErrors, so nothing from `pg` leaves src/store/. Each message names
 * the server by its masked URI (never a password) and says what to do.
 */
import { TracklabError } from '../../errors';
import { maskUri } from '../store-uri';

/** SQLSTATE or Node system code of a driver error, if it has one. */
export function pgCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Node's codes for a server that cannot be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOENT']);
/** Codes and messages of a connection that broke while in use. */
const LOST = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const LOST_MESSAGE = /Connection terminated|connection error and is not queryable|Client was closed|terminating connection/i;
const TIMEOUT_MESSAGE = /timeout expired|connection timeout|timeout exceeded when trying to connect/i;

/** The connection broke (server restart, network cut): a read may be tried again on a new connection. */
export function isConnectionLost(err: unknown): boolean {
  const code = pgCode(err);
  if (code !== undefined && LOST.has(code)) return true;
  return code === undefined && err instanceof Error && LOST_MESSAGE.test(err.message) && !TIMEOUT_MESSAGE.test(err.message);
}

/** The code of {@link noPasswordError}: not a SQLSTATE, so nothing from the server can carry it. */
const NO_PASSWORD = 'TRACKLAB_NO_PASSWORD';
/** pg's own wording when it reaches SCRAM without a password (a fallback: the connection normally fails first with NO_PASSWORD). */
const NO_PASSWORD_MESSAGE = /client password must be a string/;

/** The server asked for a password and neither the URI, PGPASSWORD nor ~/.pgpass has one. */
export function noPasswordError(): Error {
  return Object.assign(new Error('the server asks for a password and none was given'), { code: NO_PASSWORD });
}

/** Serialization failure or deadlock: the transaction was rolled back and can be run again as a whole. */
export function isRetryableConflict(err: unknown): boolean {
  const code = pgCode(err);
  return code === '40001' || code === '40P01';
}

export interface ErrorContext {
  /** The operation, e.g. `create run abc123`. */
  readonly doing: string;
  /** The server as `postgresql://user:***@host:port/db`. */
  readonly display: string;
  /** Database and user names, for messages. */
  readonly database: string;
  readonly user: string;
  readonly connectTimeoutMs: number;
  /** Strings to cut from any message that reaches the user (the password). */
  readonly secrets: readonly string[];
  /** Whether the operation wrote: a lost connection is then surfaced, not retried. */
  readonly write: boolean;
}

/**
 * Converts an error from `pg` (or the server) into a TracklabError with the
 * original as `cause`. TracklabErrors pass through.
 */
export function translatePgError(err: unknown, ctx: ErrorContext): TracklabError {
  if (err instanceof TracklabError) return err;
  const code = pgCode(err);
  const raw = maskUri(err instanceof Error ? err.message : String(err), ctx.secrets);
  const at = `the PostgreSQL store ${ctx.display}`;
  const cause = sanitizedCause(err, ctx.secrets);
  const fail = (errorCode: ConstructorParameters<typeof TracklabError>[0], message: string) =>
    new TracklabError(errorCode, `Could not ${ctx.doing}: ${message}`, { cause });

  if (code === '28P01' || code === '28000') {
    return fail('INVALID_STATE', `${at} refused user "${ctx.user}" (${raw}). Check the user name and password in the tracking URI, `
      + 'or the server\'s pg_hba.conf; the password can also come from ~/.pgpass or PGPASSWORD instead of the URI.');
  }
  if (code === NO_PASSWORD || (code === undefined && NO_PASSWORD_MESSAGE.test(raw))) {
    return fail('INVALID_STATE', `${at} asks for a password, and there is none for user "${ctx.user}". Put it in PGPASSWORD, `
      + 'in ~/.pgpass (a line host:port:database:user:password, readable only by you: chmod 600 ~/.pgpass), '
      + `or in the URI as ${ctx.user}:<password>@ before the host (percent-encode special characters).`);
  }
  if (code === '3D000') {
    return fail('INVALID_STATE', `database "${ctx.database}" does not exist on ${at}. Create it first `
      + `(createdb ${ctx.database}, or CREATE DATABASE "${ctx.database}"), or correct the name in the tracking URI.`);
  }
  if (code === '42501') {
    // Tables another role made (a teammate's first use): that role, or a superuser, grants them to this one.
    const role = /^[a-z_][a-z0-9_]*$/.test(ctx.user) ? ctx.user : `"${ctx.user.replace(/"/g, '""')}"`;
    const onTables = /permission denied for (table|sequence|relation)\b/.test(raw)
      ? ` If another role made the tables, it grants them: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}; `
        + `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}.`
      : '';
    return fail('INVALID_STATE', `user "${ctx.user}" lacks a privilege on ${at} (${raw}). Tracklab needs to create tables in the database `
      + `the first time (GRANT CREATE ON SCHEMA public), and to read and write them afterwards.${onTables}`);
  }
  if (code === '53300') {
    return fail('INVALID_STATE', `${at} has no free connection slots (${raw}). Close idle notebooks, lower the connections each `
      + 'process opens, or raise max_connections on the server.');
  }
  if ((code !== undefined && UNREACHABLE.has(code)) || TIMEOUT_MESSAGE.test(raw)) {
    const timedOut = code === 'ETIMEDOUT' || TIMEOUT_MESSAGE.test(raw);
    return fail('INVALID_STATE', `${at} ${timedOut ? `did not answer within ${ctx.connectTimeoutMs} ms` : `cannot be reached (${code})`}. `
      + 'Check that the server is running and that this machine can reach its host and port (firewall, VPN, listen_addresses); '
      + 'a slow link can allow more time with ?connect_timeout=<seconds> in the URI.');
  }
  if (isConnectionLost(err)) {
    return fail('INVALID_STATE', ctx.write
      ? `the connection to ${at} was lost during the write (${raw}), so it may not have been saved. `
        + 'Nothing partial is kept: each write is one transaction. Check the server, then retry.'
      : `the connection to ${at} was lost and could not be restored (${raw}). Check that the server is running, then retry.`);
  }
  if (code === '23505') return fail('RESOURCE_ALREADY_EXISTS', `it already exists (${raw}). Use a different id or name.`);
  if (code === '23503') return fail('RESOURCE_DOES_NOT_EXIST', `it refers to a run, experiment or model that does not exist (it may have been purged) (${raw}).`);
  if (code?.startsWith('22') || code?.startsWith('23')) return fail('INVALID_PARAMETER_VALUE', `a value is not allowed (${raw}).`);
  if (code === '53100') return fail('INTERNAL_ERROR', `the disk of ${at} is full (${raw}). Free space on the server and retry.`);
  if (code === '57014') return fail('INTERNAL_ERROR', `${at} cancelled the statement (${raw}).`);
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    return fail('INTERNAL_ERROR', `PostgreSQL failed with SQLSTATE ${code} (${raw}).`);
  }
  return fail('INTERNAL_ERROR', `${raw}. This is a tracklab bug unless the server misbehaved; please report it.`);
}


/**
 * The driver's error with its message masked, keeping code and SQLSTATE
 * fields: a cause must not carry the password either.
 */
function sanitizedCause(err: unknown, secrets: readonly string[]): unknown {
  if (!(err instanceof Error)) return err;
  const copy = new Error(maskUri(err.message, secrets));
  for (const field of ['code', 'severity', 'detail', 'hint', 'routine', 'constraint', 'table', 'column'] as const) {
    const value = (err as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[field] = maskUri(value, secrets);
  }
  copy.stack = maskUri(err.stack ?? '', secrets);
  return copy;
}
