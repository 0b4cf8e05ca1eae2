/**
 * The connection pool of one PostgreSQL store, and the three shapes every
 * operation uses: `query` (one statement, autocommit), `read` (a snapshot of
 * several statements) and `write` (one transaction). The driver is confined
 * to this file and the error module; everything else receives a `Query`.
 *
 * - Connecting gives up after `connectTimeoutMs` (default 10 s, or the URI's
 *   `connect_timeout`), so an unreachable server ends a notebook cell with a
 *   message instead of hanging it.
 * - A read whose connection is lost is tried again on a new connection (it
 *   changed nothing); a write is not (it may have committed), and its error
 *   says so. A transaction the server rolled back for a serialization
 *   failure or deadlock is run again whole.
 * - Idle connections do not keep a script alive (allowExitOnIdle) and are
 *   closed after 30 s, so a quiet notebook holds no server slots.
 * - A connection that failed to open is closed at once. pg leaves its socket
 *   open when the failure is on the client's side (no password to answer a
 *   SCRAM challenge): the server then waits out authentication_timeout
 *   (60 s) and the half-open socket keeps the process alive that long.
 * - The password is looked up only when the server asks for one: the URI,
 *   PGPASSWORD, then ~/.pgpass (PGPASSFILE), as libpq does. With none, the
 *   connection fails at once with a message that says where to put it.
 */
import os from 'node:os';
import { Client, type ClientConfig, escapeLiteral, Pool, type PoolClient, type PoolConfig, types as pgTypes } from 'pg';
import pgPass from 'pgpass';
import { TracklabError } from '../../errors';
import { maskUri } from '../store-uri';
import { type ErrorContext, isConnectionLost, isRetryableConflict, noPasswordError, translatePgError } from './pg-errors';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 4;
const READ_ATTEMPTS = 3;
const CONFLICT_ATTEMPTS = 5;
/** Type OIDs: bigint and numeric arrive as text by default; every such value here fits a double (ms, counts, steps). */
const INT8 = 20;
const NUMERIC = 1700;

export interface ConnectionOptions {
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
}

/** One statement: text, values, and optionally a name to prepare it once per connection. */
export interface Statement {
  readonly name?: string;
  readonly text: string;
}

/** Runs one statement on the current connection and returns its rows. */
export type Query = <R = Record<string, unknown>>(sql: string | Statement, values?: readonly unknown[]) => Promise<R[]>;

export interface Connection {
  /** The URI with the password masked, for messages. */
  readonly display: string;
  /** One autocommit statement. `write` says whether it changes data (then a lost connection is not retried). */
  query<R = Record<string, unknown>>(doing: string, sql: string | Statement, values?: readonly unknown[], write?: boolean): Promise<R[]>;
  /** Several statements over one snapshot (REPEATABLE READ, READ ONLY). */
  read<T>(doing: string, fn: (q: Query) => Promise<T>): Promise<T>;
  /** Reads without a transaction: each statement sees the data as it is then (two round trips fewer than `read`). */
  readOne<T>(doing: string, fn: (q: Query) => Promise<T>): Promise<T>;
  /** One READ COMMITTED transaction; row locks in `fn` serialize what must be. */
  write<T>(doing: string, fn: (q: Query) => Promise<T>): Promise<T>;
  /**
   * Like `write`, without BEGIN and COMMIT: each statement commits on its own.
   * Only for operations whose changes are one statement (two round trips fewer).
   */
  writeOne<T>(doing: string, fn: (q: Query) => Promise<T>): Promise<T>;
  /**
   * The bytes of one `COPY (...) TO STDOUT` (a read, retried like one), as the
   * chunks they arrived in (copyRows reads them without joining them). Binary
   * COPY is the driver's one way to receive bytea as bytes: pg decodes every
   * result field as UTF-8 text, so a bytea arrives hex-encoded otherwise.
   * COPY takes no parameters: build values into `sql` with {@link literal}.
   */
  copyOut(doing: string, sql: string): Promise<readonly Buffer[]>;
  close(): Promise<void>;
}

/** What a URI names, for the pool and for messages. */
export interface ParsedTarget {
  readonly user: string;
  readonly database: string;
  readonly password: string | undefined;
  readonly connectTimeoutMs: number | undefined;
}

/**
 * Reads user, database, password and connect_timeout from a
 * `postgresql://` URI, as libpq would (an empty host means the default
 * socket; `?host=/dir` a socket folder).
 */
export function parseTarget(uri: string): ParsedTarget {
  let url: URL;
  try {
    // URL() refuses an empty host (postgresql://user@/db?host=/socket); any host will do for reading the other parts.
    url = new URL(uri.replace(/^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)(?=[/?#]|$)/i, '$1localhost'));
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      'The PostgreSQL URI is not valid. Write it as postgresql://user:password@host:5432/database (percent-encode special characters in the password).',
      { cause: new Error(maskUri((err as Error).message, [uri])) });
  }
  const q = url.searchParams;
  const user = q.get('user') ?? (decodeURIComponent(url.username) || process.env.PGUSER || os.userInfo().username);
  const database = q.get('dbname') ?? (decodeURIComponent(url.pathname.replace(/^\//, '')) || process.env.PGDATABASE || user);
  const password = q.get('password') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const timeout = q.get('connect_timeout');
  const seconds = timeout === null ? undefined : Number(timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0)) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `connect_timeout in the PostgreSQL URI must be a number of seconds, got "${timeout}".`);
  }
  return { user, database, password, connectTimeoutMs: seconds === undefined || seconds === 0 ? undefined : seconds * 1000 };
}

/**
 * Opens a pool (lazily: no connection is made until the first statement).
 *
 * @example
 * const conn = openConnection('postgresql://ana@db:5432/tracklab', 'postgresql://ana@db:5432/tracklab');
 * const [row] = await conn.query('check', 'SELECT 1 AS one');
 */
export function openConnection(uri: string, display: string, options: ConnectionOptions = {}): Connection {
  const target = parseTarget(uri);
  const connectTimeoutMs = options.connectTimeoutMs ?? target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const config: PoolConfig = {
    connectionString: uri,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'tracklab',
    types: { getTypeParser: typeParser },
    Client: TracklabClient as unknown as PoolConfig['Client'],
  };
  const pool = new Pool(config);
  // An idle connection that the server closes emits here; the pool drops it, and the next statement gets a new one.
  pool.on('error', () => undefined);
  const secrets = target.password === undefined ? [] : [target.password, encodeURIComponent(target.password)];
  const context = (doing: string, write: boolean): ErrorContext => ({
    doing, display, database: target.database, user: target.user, connectTimeoutMs, secrets, write,
  });
  let closed = false;

  async function withClient<T>(doing: string, write: boolean, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (closed) {
        throw new TracklabError('INVALID_STATE', `Could not ${doing}: this store was closed. Open it again with openStore(uri).`);
      }
      let client: PoolClient | undefined;
      try {
        client = await pool.connect();
        const result = await fn(client);
        client.release();
        return result;
      } catch (err) {
        // A connection that failed mid-statement is destroyed rather than returned to the pool.
        client?.release(isConnectionLost(err) ? (err as Error) : undefined);
        // A connection that never opened is not tried again: the server's answer (refused login, no such database,
        // no password to give) or an unreachable server that connectTimeoutMs already waited for will not change.
        const retry = client !== undefined && (
          (!write && isConnectionLost(err) && attempt < READ_ATTEMPTS)
          || (isRetryableConflict(err) && attempt < CONFLICT_ATTEMPTS));
        if (!retry) throw translatePgError(err, context(doing, write));
        await pause(50 * 4 ** Math.min(attempt - 1, 3) * (0.5 + Math.random()));
      }
    }
  }

  const run = (client: PoolClient): Query => async <R>(sql: string | Statement, values?: readonly unknown[]) => {
    const statement = typeof sql === 'string' ? { text: sql } : sql;
    const result = await client.query({ ...statement, values: values as unknown[] | undefined });
    return result.rows as R[];
  };

  async function transaction<T>(client: PoolClient, begin: string, fn: (q: Query) => Promise<T>): Promise<T> {
    await client.query(begin);
    try {
      const result = await fn(run(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!isConnectionLost(err)) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  return {
    display,
    query: (doing, sql, values, write = false) => withClient(doing, write, (client) => run(client)(sql, values)),
    read: (doing, fn) => withClient(doing, false, (client) => transaction(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn)),
    write: (doing, fn) => withClient(doing, true, (client) => transaction(client, 'BEGIN', fn)),
    writeOne: (doing, fn) => withClient(doing, true, (client) => fn(run(client))),
    readOne: (doing, fn) => withClient(doing, false, (client) => fn(run(client))),
    copyOut: (doing, sql) => withClient(doing, false, (client) => new Promise<readonly Buffer[]>((resolve, reject) => {
      client.query(new CopyOut(sql, (err, data) => (err ? reject(err) : resolve(data as readonly Buffer[]))));
    })),
    async close() {
      if (closed) return;
      closed = true;
      // Idle connections are unref'd (allowExitOnIdle), so nothing else may keep the event loop alive until they have ended.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        await pool.end();
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}

/** A string as an SQL literal (quotes doubled; backslashes in the E'' form), for statements that take no parameters. */
export function literal(value: string): string {
  return escapeLiteral(value);
}

/**
 * One `COPY ... TO STDOUT` in the simple protocol, as a pg "submittable":
 * the client hands it every message of the exchange. CopyData chunks are
 * views of the driver's read buffer, which it reuses, so each is copied.
 */
class CopyOut {
  private readonly chunks: Buffer[] = [];
  private settled = false;

  constructor(private readonly text: string, private readonly done: (err: Error | null, data?: readonly Buffer[]) => void) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    this.chunks.push(Buffer.from(msg.chunk));
  }

  handleError(err: Error): void {
    this.settle(err);
  }

  handleReadyForQuery(): void {
    this.settle(null, this.chunks);
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('tracklab sends no COPY data');
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  private settle(err: Error | null, data?: readonly Buffer[]): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err, data);
  }
}

/**
 * pg's Client with the two connection fixes described at the top: the
 * password is resolved when the server asks for it, and a failed connect
 * closes its socket.
 */
class TracklabClient extends Client {
  constructor(config: ClientConfig) {
    super(config);
    // null: neither the URI nor PGPASSWORD gave one (pg's own ~/.pgpass lookup is deprecated and, with no
    // password found, fails inside SCRAM with "client password must be a string").
    const self = this as unknown as { password: unknown; connectionParameters: PgPassTarget };
    if (self.password === null) self.password = () => passwordFromPgpass(self.connectionParameters);
  }

  override connect(): Promise<Client>;
  override connect(callback: (err: Error | null, client?: Client) => void): void;
  override connect(callback?: (err: Error | null, client?: Client) => void): Promise<Client> | void {
    const closeOnFailure = (err: Error | null): void => {
      if (err) this.connection.stream.destroy();
    };
    if (callback) {
      super.connect((err: Error | null) => {
        closeOnFailure(err);
        if (err) callback(err); else callback(null, this);
      });
      return;
    }
    return super.connect().catch((err: Error) => {
      closeOnFailure(err);
      throw err;
    });
  }
}

interface PgPassTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** The ~/.pgpass (or PGPASSFILE) entry for this server, database and user; rejects when there is none. */
function passwordFromPgpass(target: PgPassTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    pgPass(target, (password) => (password === undefined ? reject(noPasswordError()) : resolve(password)));
  });
}

function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8 || oid === NUMERIC) return Number;
  return pgTypes.getTypeParser(oid, format as 'text');
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
