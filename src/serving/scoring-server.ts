/**
 * An HTTP server for one model, speaking MLflow's scoring protocol
 * (mlflow/pyfunc/scoring_server): `GET /ping`, `GET /health`, `GET /version`,
 * `POST /invocations` with a JSON body (one of dataframe_split,
 * dataframe_records, instances, inputs, plus params) or a CSV body, answering
 * `{"predictions": ...}` written as Python's json.dumps writes it (NaN and
 * Infinity spelled out). Errors have MLflow's body `{"error_code", "message"}`:
 * a malformed request is 400 BAD_REQUEST, input the signature refuses is 400
 * INVALID_PARAMETER_VALUE. The server keeps serving after either.
 *
 * Safe by default: it binds 127.0.0.1, answers only Host names of the bound
 * address (allowed-hosts.ts), caps the body size and cuts off a request that
 * has not fully arrived after `requestTimeoutMs`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTracklabError, TracklabError } from '../errors';
import { readBody } from '../http/read-body';
import { refuseConnect } from '../http/refuse-connect';
import { requestHost } from '../http/request-host';
import { routedPath } from '../http/request-target';
import { pythonJsonDumps } from '../models/python-json';
import type { DataType, ModelSignature } from '../models/schema';
import { isTensorSchema } from '../models/schema';
import { isTfTensorLike, isTypedArray } from '../models/tensor-data';
import { tracklabVersion } from '../models/version';
import { hostMatcher, isLoopbackHost } from './allowed-hosts';
import { servingMsg } from './messages';
import { parseCsvRows } from './parse-csv';
import { DEFAULT_MAX_DEPTH, parseInvocation } from './parse-request';

/** Anything with predict(), e.g. what `loadModel` returns. A signature, when present, types CSV columns. */
export interface ServableModel {
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): unknown;
  readonly signature?: ModelSignature | null;
}

export interface ServeOptions {
  /** Default 127.0.0.1 (loopback only). Another address prints a warning. */
  readonly host?: string;
  /** Default 0: an ephemeral port; read it from `server.address()`. */
  readonly port?: number;
  /** Largest request body; bigger ones get 413. Default 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Deepest JSON nesting accepted. Default 100. */
  readonly maxDepth?: number;
  /** Host names (optionally with :port, or *.domain) answered besides localhost, 127.0.0.1, [::1] and the bound address; "*" answers any. */
  readonly allowedHosts?: readonly string[];
  /** A request whose headers and body have not all arrived after this long gets 408 and is closed. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Where the not-loopback warning goes. Default: stderr. */
  readonly warn?: (message: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Starts serving `model` and returns the server, already listening (or failing
 * with an 'error' event, e.g. EADDRINUSE). `startScoringServer` awaits that instead.
 *
 * @example
 * const server = serveModel(await loadModel('runs:/Xk3v9Qp2/model'), { port: 5000 });
 * // curl -X POST http://127.0.0.1:5000/invocations -H 'Content-Type: application/json' -d '{"inputs": [[1, 2, 3]]}'
 */
export function serveModel(model: ServableModel, options: ServeOptions = {}): http.Server {
  const server = createScoringServer(model, options);
  const host = options.host ?? '127.0.0.1';
  warnIfExposed(host, options);
  server.listen(options.port ?? 0, host);
  return server;
}

/**
 * Like serveModel, but resolves once the server listens, with its URL; a port
 * in use or a bad host rejects with an INVALID_STATE TracklabError.
 *
 * @example
 * const { server, url } = await startScoringServer(model); // url: http://127.0.0.1:<ephemeral port>
 */
export async function startScoringServer(model: ServableModel, options: ServeOptions = {}): Promise<{ server: http.Server; url: string }> {
  const server = createScoringServer(model, options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new TracklabError('INVALID_STATE', err.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use; choose another port.`
        : `Cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    });
    server.listen(port, host, () => resolve());
  });
  warnIfExposed(host, options);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}` };
}

/** The request handler as an unstarted server, for callers that manage `listen` themselves. */
export function createScoringServer(model: ServableModel, options: ServeOptions = {}): http.Server {
  const settings: Settings = {
    maxBody: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    hostAllowed: hostMatcher(options.host ?? '127.0.0.1', options.allowedHosts),
  };
  const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node answers 408 and closes a connection whose request is not complete in time (slow headers or a slow body);
  // it looks every connectionsCheckingInterval, so check often enough for the timeout to mean what it says.
  const server = http.createServer({
    requestTimeout: timeout,
    headersTimeout: timeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeout / 4))),
  }, (req, res) => {
    handle(model, req, res, settings).catch((err: unknown) => {
      // Last resort: handle() answers every error itself; this only guards against a failure while answering.
      if (!res.headersSent && !res.destroyed) send(res, 500, error('INTERNAL_ERROR', String((err as Error)?.message ?? err)));
      else res.destroy();
    });
  });
  refuseConnect(server, { allow: 'GET, HEAD, POST', contentType: 'application/json', body: pythonJsonDumps(error('BAD_REQUEST', servingMsg.notAProxy())) });
  return server;
}

interface Settings {
  readonly maxBody: number;
  readonly maxDepth: number;
  readonly hostAllowed: (host: string | undefined) => boolean;
}

function warnIfExposed(host: string, options: ServeOptions): void {
  if (isLoopbackHost(host)) return;
  (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(servingMsg.notLoopback(host));
}

async function handle(model: ServableModel, req: http.IncomingMessage, res: http.ServerResponse, settings: Settings): Promise<void> {
  const found = requestHost(req);
  const host = found.kind === 'one' || found.kind === 'conflicting' ? found.host : undefined;
  if (!settings.hostAllowed(host)) {
    req.resume();
    return send(res, 403, error('PERMISSION_DENIED', servingMsg.hostRefused(host)));
  }
  if (found.kind === 'conflicting') {
    req.resume();
    return send(res, 400, error('BAD_REQUEST', servingMsg.conflictingHost(found.header, found.host)));
  }
  const target = routedPath(req.url);
  if (target === undefined) {
    req.resume();
    return send(res, 400, error('BAD_REQUEST', servingMsg.badTarget()));
  }
  const url = target.split('?')[0];
  if (url === '/ping' || url === '/health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, error('BAD_REQUEST', `${url} answers GET only.`));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('\n');
    return;
  }
  if (url === '/version') return send(res, 200, { tracklab_version: tracklabVersion() });
  if (url !== '/invocations') return send(res, 404, error('RESOURCE_DOES_NOT_EXIST', `No endpoint ${url}; use POST /invocations, GET /ping or GET /health.`));
  if (req.method !== 'POST') return send(res, 405, error('BAD_REQUEST', '/invocations answers POST only.'));

  // As MLflow: application/json or text/csv, UTF-8 only, no other content-type parameters.
  const [typePart, ...parameters] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim());
  const type = typePart!.toLowerCase();
  const charset = parameters.map((p) => /^charset=(.*)$/i.exec(p)?.[1]).find((c) => c !== undefined);
  if ((type !== 'application/json' && type !== 'text/csv') || parameters.some((p) => !/^charset=/i.test(p))) {
    req.resume();
    return send(res, 415, error('BAD_REQUEST', servingMsg.unsupportedType(req.headers['content-type'] ?? '')));
  }
  if (charset !== undefined && charset.replace(/"/g, '').toLowerCase() !== 'utf-8') {
    req.resume();
    return send(res, 415, error('BAD_REQUEST', servingMsg.charset(charset)));
  }
  const read = await readBody(req, settings.maxBody);
  if (read.kind === 'aborted') return; // the client went away, or the request timed out (Node answered 408)
  if (read.kind === 'too-large') return tooLarge(req, res, settings.maxBody);
  const body = read.bytes.toString('utf8');

  let input: unknown;
  let params: Readonly<Record<string, unknown>> | undefined;
  try {
    if (type === 'text/csv') {
      input = parseCsvRows(body, columnTypes(model.signature));
    } else {
      ({ input, params } = parseInvocation(body, settings.maxDepth));
    }
  } catch (err) {
    return send(res, 400, error(isTracklabError(err) ? err.code : 'BAD_REQUEST', (err as Error).message));
  }
  let predictions: unknown;
  try {
    predictions = await model.predict(input, params);
  } catch (err) {
    // Input the signature refuses is MLflow's INVALID_PARAMETER_VALUE (400); a failing model, its BAD_REQUEST (400).
    if (isTracklabError(err, 'INVALID_PARAMETER_VALUE') || isTracklabError(err, 'BAD_REQUEST')) {
      return send(res, 400, error(err.code, err.message));
    }
    return send(res, 400, error('BAD_REQUEST', servingMsg.modelFailed((err as Error)?.message ?? String(err))));
  }
  send(res, 200, { predictions: toJsonable(predictions) });
}

/** Column types of a named column signature, for typing CSV cells. */
function columnTypes(signature: ModelSignature | null | undefined): ReadonlyMap<string, DataType> | undefined {
  const inputs = signature?.inputs;
  if (!inputs || inputs.length === 0 || isTensorSchema(inputs)) return undefined;
  return new Map(inputs.flatMap((c) => (c.name === undefined ? [] : [[c.name, c.type] as const])));
}

function tooLarge(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
  res.setHeader('connection', 'close');
  send(res, 413, error('BAD_REQUEST', servingMsg.tooLarge(limit)));
  // Close once the answer is out, so the client stops sending and the socket is not reused mid-body.
  res.on('finish', () => req.socket.destroySoon());
}

function toJsonable(value: unknown): unknown {
  if (isTfTensorLike(value)) return value.arraySync();
  if (isTypedArray(value)) return Array.from(value as ArrayLike<number | bigint>, Number);
  if (Array.isArray(value)) return value.map(toJsonable);
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonable(v)]));
  }
  return value;
}

function error(code: string, message: string): { error_code: string; message: string } {
  return { error_code: code, message };
}

/** Writes JSON as Python's json.dumps does, as MLflow's server answers: NaN and ±Infinity as bare tokens, not null. */
function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = pythonJsonDumps(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
