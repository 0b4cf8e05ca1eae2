/**
 * `tracklab server`: MLflow's tracking REST API over any tracklab store, on
 * Node's http. What it guarantees:
 * - it listens on loopback unless told otherwise, and refuses a public
 *   address unless `auth` is on (or `insecureNoAuth` says the network is trusted);
 * - with `auth`, every request but /health needs a user or token, and each
 *   route its permission (auth/route-access.ts);
 * - it answers only allowed Host values (DNS rebinding, MLflow CVE-2025-14279)
 *   and sends no CORS headers unless `corsOrigins` lists exact origins, so a
 *   web page elsewhere can neither read answers nor send JSON;
 * - with `tls` it speaks HTTPS only (Node's https);
 * - with `ui` the web UI (src/ui) answers every path outside the API,
 *   behind the same Host check and authentication;
 * - bodies are bounded (413), slow clients time out (a client that stops
 *   reading its answer too; an upload only when slower than a floor rate,
 *   request-deadlines.ts; never while the server itself works, idle-timeout.ts), and every API answer
 *   is JSON with MLflow's error shape (a refused UI page is an HTML page);
 * - `close()` stops accepting, lets requests in flight finish (each store
 *   write is one transaction, so nothing is half-written), then resolves.
 *
 * @example
 * const backend = await openStore('postgresql://ana@db/tracklab');
 * const server = await startTrackingServer({ backend, artifactRoot: '/srv/artifacts', port: 5000 });
 * // MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py
 * await server.close(); await backend.close();
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream';
import { ContentStore } from '../artifacts/content-store';
import { TracklabError } from '../errors';
import { closeIdleClients } from '../http/idle-timeout';
import { listen } from '../http/listen';
import { refuseConnect } from '../http/refuse-connect';
import { requestHost } from '../http/request-host';
import { pathUrl, requestTarget, routedPath } from '../http/request-target';
import { tracklabVersion } from '../models/version';
import { FRAME_VERSIONS } from '../store/http/column-frames';
import { hostMatcher, isLoopbackHost } from '../serving/allowed-hosts';
import { RegistryClient } from '../registry/registry-client';
import type { StoreBackend } from '../store/backend';
import { connectionUri, maskUri } from '../store/store-uri';
import { TrackingClient } from '../tracking/client';
import { sendHtml } from '../ui/http';
import { refusalPage } from '../ui/pages/refusal-page';
import { createUiHandler, type UiHandler } from '../ui/ui-handler';
import { ApiContext } from './api-context';
import { ARTIFACTS_PREFIX, ArtifactProxy } from './artifact-proxy';
import { authMsg } from './auth/auth-messages';
import { FULL_ACCESS, ServerAuth, type Access, type ServerAuthOptions } from './auth/server-auth';
import { logClientErrors } from './client-error-log';
import type { RequestLogEntry } from './request-log';
import { CorsPolicy } from './cors';
import { HttpError, errorResponse } from './http-error';
import { serverMsg } from './messages';
import { pathRedactor, processFolders, type PathRedactor, type ServerFolder } from './path-redactor';
import { readRequest } from './read-request';
import { DEFAULT_IDLE_TIMEOUT_MS, bodyGuard, checkDurations, guardBody, serverTimeouts, type DeadlineOptions } from './request-deadlines';
import { API_PREFIX, routes, type Method } from './routes';
import { TRACKLAB_PREFIX, handleTracklabApi } from './tracklab-api';

export interface TrackingServerOptions extends DeadlineOptions {
  /** The store to serve (tracking and registry, see openStore); the caller opens and closes it. */
  readonly backend: StoreBackend;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 5000; 0 picks a free port. */
  readonly port?: number;
  /** Host names (optionally with a port, or `*.domain`) answered besides loopback and the bound address. */
  readonly allowedHosts?: readonly string[];
  /** Allow a non-loopback address without authentication. */
  readonly insecureNoAuth?: boolean;
  /** Largest request body; larger ones get 413. Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Artifact folder (a content store) behind the artifact proxy; without it the artifact routes answer 503. */
  readonly artifactRoot?: string;
  /** Largest artifact upload; larger ones get 413. Default 2 GiB. */
  readonly maxArtifactBytes?: number;
  /** Turns on access control: users, tokens and permissions in this auth database. */
  readonly auth?: ServerAuthOptions;
  /** Exact origins (`https://app.example.com`) whose pages may call the API from a browser. Default none. */
  readonly corsOrigins?: readonly string[];
  /** Serve HTTPS with this PEM certificate (chain) and key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Mount the web UI at `/`. Default false (the CLI turns it on). */
  readonly ui?: boolean;
  /** Receives one entry per request (and per failure, and per request Node refused: a timeout, a malformed head); never headers, query strings or bodies. */
  readonly log?: (entry: RequestLogEntry) => void;
  /** Tests only: acts as a server from before GET /api/tracklab/v1/capabilities, taking single "TLC1" block frames alone. */
  readonly olderBlockUploads?: boolean;
}

export type { RequestLogEntry } from './request-log';

export interface TrackingServer {
  readonly url: string;
  readonly server: http.Server | https.Server;
  /** The access control, when `auth` is on (its database, for admin tooling and tests). */
  readonly auth: ServerAuth | undefined;
  /** Stops accepting, waits for requests in flight, closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_ARTIFACT_BYTES = 2 * 1024 * 1024 * 1024;

export async function startTrackingServer(options: TrackingServerOptions): Promise<TrackingServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5000;
  if (!isLoopbackHost(host) && !options.insecureNoAuth && options.auth === undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.nonLoopbackWithoutAuth(host));
  }
  checkDurations(options);
  const cors = options.corsOrigins !== undefined && options.corsOrigins.length > 0 ? new CorsPolicy(options.corsOrigins) : undefined;
  const auth = options.auth !== undefined ? new ServerAuth(options.auth) : undefined;
  let server: http.Server | https.Server;
  let app: TrackingApp;
  try {
    await options.auth?.prepare?.(auth!);
    app = new TrackingApp(options, hostMatcher(host, options.allowedHosts ?? []), auth, cors);
    let refuse: ReturnType<typeof logClientErrors> | undefined;
    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
      guardBody(req, res, bodyGuard(options, req), (code) => refuse?.(Object.assign(new Error(code), { code }), req.socket));
      app.handle(req, res);
    };
    const timeouts = serverTimeouts(options);
    server = options.tls !== undefined ? createHttpsServer(options.tls, timeouts, handle) : http.createServer(timeouts, handle);
    server.keepAliveTimeout = 5_000;
    refuseConnect(server, {
      allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS', contentType: 'application/json',
      body: JSON.stringify({ error_code: 'BAD_REQUEST', message: serverMsg.notAProxy() }),
    }, () => options.log?.({ time: new Date().toISOString(), method: 'CONNECT', path: '?', status: 405, ms: 0 }));
    // requestTimeout ends once the request is read: a client that never reads its answer (a large download)
    // would otherwise hold the socket and the file open forever, and keep close() waiting for it.
    closeIdleClients(server, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, (_socket, res) => {
      if (res !== undefined) app.markClientError(res, res.statusCode, 'ERR_SOCKET_IDLE_TIMEOUT');
    });
    refuse = logClientErrors(server, {
      log: options.log,
      inProgress: (socket) => app.inProgress.get(socket),
      markTimedOut: (res, status, code) => app.markClientError(res, status, code),
    });
    await listen(server, port, host);
  } catch (err) {
    auth?.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = options.tls !== undefined ? 'https' : 'http';
  return { url: `${scheme}://${shownHost}:${address.port}`, server, auth, close: () => app.shutdown(server) };
}

function createHttpsServer(tls: NonNullable<TrackingServerOptions['tls']>, timeouts: http.ServerOptions, handle: http.RequestListener): https.Server {
  try {
    return https.createServer({ ...timeouts, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handle);
  } catch (err) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tlsUnreadable('certificate or key', '(PEM)', err instanceof Error ? err.message : String(err)), { cause: err });
  }
}

/** The request handler and its in-flight count. */
class TrackingApp {
  private readonly ctx: ApiContext;
  private readonly tracking: TrackingClient;
  private readonly ui: UiHandler | undefined;
  /** Takes the server's folders out of error answers (path-redactor.ts). */
  private readonly redact: PathRedactor;
  private readonly content: ContentStore | undefined;
  private inFlight = 0;
  private closing = false;
  private drained: (() => void) | undefined;

  constructor(
    private readonly options: TrackingServerOptions,
    private readonly hostAllowed: (host: string | undefined) => boolean,
    private readonly auth: ServerAuth | undefined,
    private readonly cors: CorsPolicy | undefined,
  ) {
    const store = options.backend.tracking;
    this.redact = pathRedactor(serverFolders(options));
    this.content = options.artifactRoot === undefined ? undefined : new ContentStore(options.artifactRoot);
    const proxy = options.artifactRoot === undefined ? undefined
      : new ArtifactProxy(store, options.artifactRoot, options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES);
    // The registry's operations (validation, pinning a version's files) are RegistryClient's; it reads runs through a client on the same store.
    this.tracking = new TrackingClient({ trackingUri: connectionUri(options.backend.uri), store, artifactRoot: options.artifactRoot });
    const registry = new RegistryClient({ tracking: this.tracking, store: options.backend.registry() });
    this.ctx = new ApiContext(store, proxy, registry);
    this.ui = options.ui ? createUiHandler({ client: this.tracking, registry, allowedHosts: hostAllowed, redactErrors: this.redact }) : undefined;
  }

  /** The response each socket's handler is writing, so a client error (a timeout) on it is logged as that request. */
  readonly inProgress = new WeakMap<object, http.ServerResponse>();
  private readonly endedByClientError = new WeakMap<http.ServerResponse, { status: number; code: string }>();

  markClientError(res: http.ServerResponse, status: number, code: string): void {
    this.endedByClientError.set(res, { status, code });
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    this.inFlight++;
    this.inProgress.set(req.socket, res);
    let error: string | undefined;
    this.respond(req, res).catch((err: unknown) => {
      error = describeFailure(err);
      // A disk that filled mid-upload leaves the rest of the body unread: fail() closes the connection then.
      if (!res.headersSent) this.fail(req, res, err);
      else res.destroy();
    }).finally(() => {
      // `finished` also answers for a response that already ended or whose socket already closed (a client that
      // hung up as the last byte left): waiting for a 'close' that was already emitted would hold shutdown forever.
      finished(res, () => {
        if (this.inProgress.get(req.socket) === res) this.inProgress.delete(req.socket);
        const clientError = this.endedByClientError.get(res);
        if (clientError !== undefined) error = clientError.code;
        this.options.log?.({
          time: new Date().toISOString(),
          method: req.method ?? '?',
          path: loggedPath(req),
          status: clientError?.status ?? res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          ...(error !== undefined ? { error } : {}),
        });
        if (--this.inFlight === 0) this.drained?.();
      });
    });
  }

  async shutdown(server: http.Server): Promise<void> {
    this.closing = true;
    this.ui?.close(); // live streams never end by themselves
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    server.closeAllConnections();
    await closed;
    await this.tracking.close();
    this.auth?.close();
  }

  private async respond(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The path and query of the target, in absolute-form too (whose host is judged below as Host is).
    const target = routedPath(req.url);
    if (target === undefined) return this.fail(req, res, new HttpError(400, 'BAD_REQUEST', serverMsg.badTarget()));
    let url: URL;
    try {
      url = pathUrl(target);
    } catch {
      return this.fail(req, res, new HttpError(400, 'BAD_REQUEST', serverMsg.badTarget()));
    }
    const host = requestHost(req);
    if (host.kind === 'repeated') return this.fail(req, res, new HttpError(400, 'BAD_REQUEST', serverMsg.repeatedHost(host.count)));
    const hostName = host.kind === 'one' || host.kind === 'conflicting' ? host.host : undefined;
    if (!this.hostAllowed(hostName)) return this.fail(req, res, new HttpError(403, 'PERMISSION_DENIED', serverMsg.foreignHost(hostName)));
    if (host.kind === 'conflicting') return this.fail(req, res, new HttpError(400, 'BAD_REQUEST', serverMsg.conflictingHost(host.header, host.host)));
    const path = url.pathname;
    const isApi = path.startsWith('/api/');
    if (this.cors !== undefined && isApi) {
      if (this.cors.isPreflight(req)) return this.cors.preflight(req, res);
      for (const [name, value] of Object.entries(this.cors.headers(req))) res.setHeader(name, value);
    }
    if (this.closing) {
      return this.fail(req, res, new HttpError(503, 'INTERNAL_ERROR', serverMsg.shuttingDown(), { connection: 'close' }));
    }
    if (path === '/health') return sendText(res, 200, 'OK');
    const uiPage = this.ui !== undefined && !isApi && !path.startsWith('/ui-api/') && path !== '/version';
    let access: Access = FULL_ACCESS;
    try {
      if (this.auth !== undefined) access = await this.auth.authenticate(req);
    } catch (err) {
      if (isUnexpected(err)) throw err;
      return this.fail(req, res, err, uiPage);
    }
    // The artifact proxy reads its path from the raw target: URL parsing would fold `..` and `%2e%2e` segments before they could be refused.
    const rawPath = target.split('?')[0]!;
    if (rawPath === ARTIFACTS_PREFIX || rawPath.startsWith(`${ARTIFACTS_PREFIX}/`)) {
      try {
        const inRun = rawPath.length > ARTIFACTS_PREFIX.length ? rawPath.slice(ARTIFACTS_PREFIX.length + 1) : url.searchParams.get('path') ?? undefined;
        this.auth?.authorizeArtifacts(access, req.method ?? 'GET', inRun);
        const body = await this.ctx.artifacts().handle(req, res, rawPath, url.searchParams);
        if (body !== undefined) sendJson(res, 200, body);
      } catch (err) {
        if (res.headersSent || isUnexpected(err)) throw err;
        this.fail(req, res, err);
      }
      return;
    }
    if (path === '/version') return sendText(res, 200, tracklabVersion());
    if (path.startsWith(TRACKLAB_PREFIX)) {
      const { backend, maxBodyBytes } = this.options;
      return handleTracklabApi(req, res, url, {
        tracking: backend.tracking, registry: () => backend.registry(), maxBodyBytes: maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, redact: this.redact,
        content: this.content,
        blockUploads: this.options.olderBlockUploads === true ? undefined : { frames: FRAME_VERSIONS, joined: true },
        authorization: this.auth?.tracklabCallContext(access, this.ctx, backend.tracking, () => backend.registry()),
        // Artifact content names its run or model version, so it is checked per resource (blob-api.ts).
        blobs: {
          content: this.content, maxUploadBytes: this.options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
          authorize: (kind, id, ability) => this.auth?.authorizeResource(access, kind, id, ability),
        },
      });
    }
    if (!isApi && this.ui !== undefined) {
      try {
        this.auth?.authorizeUi(access, req.method ?? 'GET');
      } catch (err) {
        return this.fail(req, res, err, uiPage);
      }
      return this.ui(req, res);
    }
    const name = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : undefined;
    const method = req.method as Method;
    const adminRoute = name !== undefined ? this.auth?.adminRoute(`${method} ${name}`) : undefined;
    const route = name !== undefined ? routes.get(name) : undefined;
    const endpoint = route !== undefined && Object.prototype.hasOwnProperty.call(route, method) ? route[method] : undefined;
    if (endpoint === undefined && adminRoute === undefined) {
      // A path that exists under other methods is a 405 naming them (as MLflow's Flask answers), not a 404 that says it is not there.
      const allowed = name === undefined ? [] : [...Object.keys(route ?? {}), ...this.auth?.adminMethods(name) ?? []];
      if (allowed.length === 0) return this.fail(req, res, new HttpError(404, 'ENDPOINT_NOT_FOUND', serverMsg.noEndpoint(path, name, this.auth !== undefined)));
      return this.fail(req, res, new HttpError(405, 'BAD_REQUEST', serverMsg.wrongMethod(path, method, allowed), { allow: allowed.join(', ') }));
    }
    try {
      const fields = await readRequest(req, url, { maxBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, endpointLimit: endpoint?.endpointLimit });
      let body: object;
      if (adminRoute !== undefined) body = await adminRoute.handler(this.ctx, fields, access);
      else if (this.auth !== undefined) body = await this.auth.run(`${method} ${name}`, endpoint!.handler, this.ctx, fields, access);
      else body = await endpoint!.handler(this.ctx, fields);
      sendJson(res, 200, body);
    } catch (err) {
      if (isUnexpected(err)) throw err;
      this.fail(req, res, err);
    }
  }

  /**
   * Answers an error; the rest of an unread body is dropped by closing the connection.
   * A refused UI page is answered as a page a person reads (refusal-page.ts), never as MLflow's JSON.
   */
  private fail(req: http.IncomingMessage, res: http.ServerResponse, err: unknown, asPage = false): void {
    const answer = errorResponse(err, this.redact);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    closeIfUnread(req, res);
    // The 401's own message is for API clients (tokens, environment variables); a browser user signs in at its prompt.
    if (asPage) sendHtml(res, answer.status, refusalPage(answer.status, answer.status === 401 ? authMsg.uiSignIn() : answer.body.message));
    else sendJson(res, answer.status, answer.body);
  }
}

/** The path of the request's target for the log: never its host, user info or query. */
function loggedPath(req: http.IncomingMessage): string {
  const target = requestTarget(req.url);
  if (target.form === 'origin' || target.form === 'absolute') return target.path.split('?')[0]!;
  return target.form === 'asterisk' ? '*' : '?';
}

/** An answer sent before the body was all read closes the connection: the rest of the body is dropped, not waited for. */
function closeIfUnread(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.complete) return;
  res.setHeader('connection', 'close');
  res.once('finish', () => req.socket?.destroySoon()); // null once a stream consumer destroyed the request
}

/** The folders an error answer must not name: the artifact root, an embedded store's folder and file, and the process's own. */
function serverFolders(options: TrackingServerOptions): ServerFolder[] {
  const uri = options.backend.uri;
  return [
    ...(options.artifactRoot !== undefined ? [{ folder: options.artifactRoot, name: '<artifact root>' }] : []),
    ...(uri.scheme === 'sqlite' ? [{ folder: uri.folder, name: '<store>' }, { folder: uri.file, name: '<store database>' }] : []),
    ...processFolders(),
  ];
}

/** A failure of the server or its store (logged with its cause), not of the request. */
function isUnexpected(err: unknown): boolean {
  return !(err instanceof HttpError) && errorResponse(err).status >= 500;
}

function describeFailure(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `; cause: ${err.cause.message}` : '';
  return maskUri(`${err instanceof Error ? err.message : String(err)}${cause}`);
}

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
