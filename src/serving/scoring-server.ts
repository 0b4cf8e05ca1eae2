/**
 * An HTTP server for one model, speaking MLflow's scoring protocol:
 * `GET /ping`, `GET /health`, `GET /version`, `POST /invocations` → `{"predictions": ...}`.
 * Binds to 127.0.0.1 unless told otherwise. Bad input gets a 400 with
 * `{"error_code": "BAD_REQUEST", "message": ...}` and the server keeps serving.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTracklabError, TracklabError } from '../errors';
import { isTfTensorLike, isTypedArray } from '../models/tensor-data';
import { tracklabVersion } from '../models/version';
import { DEFAULT_MAX_DEPTH, parseInvocation } from './parse-request';

/** Anything with predict(), e.g. what `loadModel` returns. */
export interface ServableModel {
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): unknown;
}

export interface ServeOptions {
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Default 0: an ephemeral port; read it from `server.address()`. */
  readonly port?: number;
  /** Largest request body; bigger ones get 413. Default 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Deepest JSON nesting accepted. Default 100. */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

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
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
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
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}` };
}

/** The request handler as an unstarted server, for callers that manage `listen` themselves. */
export function createScoringServer(model: ServableModel, options: ServeOptions = {}): http.Server {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return http.createServer((req, res) => {
    handle(model, req, res, maxBody, maxDepth).catch((err: unknown) => {
      // Last resort: handle() answers every error itself; this only guards against a failure while answering.
      if (!res.headersSent) send(res, 500, { error_code: 'INTERNAL_ERROR', message: String((err as Error)?.message ?? err) });
      else res.destroy();
    });
  });
}

async function handle(model: ServableModel, req: http.IncomingMessage, res: http.ServerResponse, maxBody: number, maxDepth: number): Promise<void> {
  const url = (req.url ?? '/').split('?')[0];
  if (url === '/ping' || url === '/health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, error('BAD_REQUEST', `${url} answers GET only.`));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('\n');
    return;
  }
  if (url === '/version') return send(res, 200, { tracklab_version: tracklabVersion() });
  if (url !== '/invocations') return send(res, 404, error('RESOURCE_DOES_NOT_EXIST', `No endpoint ${url}; use POST /invocations, GET /ping or GET /health.`));
  if (req.method !== 'POST') return send(res, 405, error('BAD_REQUEST', '/invocations answers POST only.'));

  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    return send(res, 415, error('BAD_REQUEST', `Content-Type must be application/json; got "${type || 'none'}".`));
  }
  const body = await readBody(req, maxBody);
  if (body === null) return tooLarge(req, res, maxBody);

  let invocation;
  try {
    invocation = parseInvocation(body, maxDepth);
  } catch (err) {
    return send(res, 400, error('BAD_REQUEST', (err as Error).message));
  }
  let predictions: unknown;
  try {
    predictions = await model.predict(invocation.input, invocation.params);
  } catch (err) {
    if (isTracklabError(err, 'INVALID_PARAMETER_VALUE') || isTracklabError(err, 'BAD_REQUEST')) {
      return send(res, 400, error('BAD_REQUEST', err.message));
    }
    return send(res, 500, error('INTERNAL_ERROR', `The model failed to predict: ${(err as Error)?.message ?? String(err)}`));
  }
  send(res, 200, { predictions: toJsonable(predictions) });
}

/** Collects the body up to `limit` bytes; null when it is larger (checked against Content-Length first). */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause(); // stop reading: the rest of the body is never buffered
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function tooLarge(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
  res.setHeader('connection', 'close');
  send(res, 413, error('BAD_REQUEST', `The request body is larger than ${limit} bytes; send smaller batches.`));
  // Close once the answer is out, so the client stops sending and the socket is not reused mid-body.
  res.on('finish', () => req.socket.destroySoon());
}

function toJsonable(value: unknown): unknown {
  if (isTfTensorLike(value)) return value.arraySync();
  if (isTypedArray(value)) return Array.from(value as ArrayLike<number | bigint>, Number);
  if (Array.isArray(value)) return value.map(toJsonable);
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonable(v)]));
  }
  return value;
}

function error(code: string, message: string): { error_code: string; message: string } {
  return { error_code: code, message };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
