/**
 * Requests to a tracklab server: the base URL, the Authorization header,
 * timeouts, and answers turned into values or TracklabErrors. A failure is
 * either a refusal (the server answered 4xx: final, with its error code) or
 * `ServerUnreachable` (no answer, or 5xx/429: the write may be sent again).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { TracklabError, type ErrorCode } from '../../errors';
import { authorizationHeader } from '../../http/authorization-header';
import { httpMsg } from './http-messages';
import { fromWireJson, toWireJson } from './wire-json';

/** No usable answer: the server is down, restarting or overloaded. Never shown to training code. */
export class ServerUnreachable extends Error {
  override readonly name = 'ServerUnreachable';
}

const REQUEST_TIMEOUT_MS = 120_000;
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
const CODES: ReadonlySet<string> = new Set(['INVALID_PARAMETER_VALUE', 'RESOURCE_ALREADY_EXISTS', 'RESOURCE_DOES_NOT_EXIST', 'INVALID_STATE', 'BAD_REQUEST', 'INTERNAL_ERROR']);

export class HttpTransport {
  /** `base` is the server URL without credentials; `display` is how messages name it. */
  constructor(readonly base: string, readonly display: string, private readonly auth: string | undefined = authorizationHeader()) {}

  /** One store or registry call through /api/tracklab/v1/<group>/<method>. */
  async call(group: 'store' | 'registry', method: string, args: readonly unknown[]): Promise<unknown> {
    const body = await this.request('POST', `/api/tracklab/v1/${group}/${method}`, Buffer.from(toWireJson({ args })), 'application/json');
    return (fromWireJson(body.toString('utf8')) as { value: unknown }).value;
  }

  /** The body of a 2xx answer; a TracklabError for a refusal; ServerUnreachable when there was no usable answer. */
  async request(method: 'GET' | 'POST', path: string, body?: Buffer, type?: string): Promise<Buffer> {
    const headers: Record<string, string | number> = {};
    if (type !== undefined) headers['content-type'] = type;
    if (body !== undefined) headers['content-length'] = body.length;
    return this.settle(await this.open(method, path, headers, body));
  }

  /** PUT of a local file, streamed from disk (never whole in memory). A file that cannot be read is a TracklabError, not an outage. */
  async upload(path: string, file: string, size: number): Promise<Buffer> {
    return this.settle(await this.open('PUT', path, { 'content-type': 'application/octet-stream', 'content-length': size }, file));
  }

  /** GET whose 2xx body is handed on as it arrives; an answer cut off midway fails the stream with ServerUnreachable. */
  async download(path: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.open('GET', path, {});
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) return this.settle(res).then(() => { throw new ServerUnreachable(`HTTP ${status}`); });
    return (async function* () {
      try {
        for await (const chunk of res) yield chunk as Buffer;
      } catch (err) {
        throw new ServerUnreachable(`the answer was cut off (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!res.complete) throw new ServerUnreachable('the answer was cut off');
    })();
  }

  /** Sends a request (the body: bytes, or a local file streamed) and resolves with the answer's head. */
  private open(method: string, path: string, headers: Record<string, string | number>, body?: Buffer | string): Promise<http.IncomingMessage> {
    if (this.auth !== undefined) headers.authorization = this.auth;
    const url = new URL(this.base + path);
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      // node:http with a keep-alive agent: a third of fetch's time per request here, which the block path feels.
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, { method, headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent, timeout: REQUEST_TIMEOUT_MS }, resolve);
      let unreadable: TracklabError | undefined;
      req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(unreadable ?? new ServerUnreachable(err.code ?? err.message)));
      if (typeof body !== 'string') {
        req.end(body);
        return;
      }
      const file = fs.createReadStream(body);
      file.on('error', (err: NodeJS.ErrnoException) => {
        unreadable = new TracklabError('RESOURCE_DOES_NOT_EXIST', httpMsg.uploadUnreadable(body, err.code ?? err.message), { cause: err });
        req.destroy(err);
      });
      file.pipe(req);
    });
  }

  /** The body of a 2xx answer, else the refusal or ServerUnreachable. */
  private async settle(res: http.IncomingMessage): Promise<Buffer> {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', (err) => reject(new ServerUnreachable(`the answer was cut off (${err.message})`)));
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return bytes;
    if (status >= 500 || status === 429) throw new ServerUnreachable(failing(status, bytes));
    throw this.refusal(status, bytes);
  }

  private refusal(status: number, bytes: Buffer): TracklabError {
    let answer: { error_code?: unknown; tracklab_code?: unknown; message?: unknown };
    try {
      answer = JSON.parse(bytes.toString('utf8')) as typeof answer;
    } catch {
      return new TracklabError('INTERNAL_ERROR', httpMsg.badAnswer(this.display, status));
    }
    const code = [answer.tracklab_code, answer.error_code].find((c): c is ErrorCode => typeof c === 'string' && CODES.has(c));
    const message = typeof answer.message === 'string' ? answer.message : httpMsg.badAnswer(this.display, status);
    return new TracklabError(code ?? (status === 401 || status === 403 ? 'INVALID_STATE' : 'BAD_REQUEST'), message);
  }
}

/** The server URL without credentials (fetch refuses them in URLs) and a trailing slash. */
export function serverBase(uri: string): string {
  const url = new URL(uri);
  if (url.username !== '' || url.password !== '') throw new TracklabError('INVALID_PARAMETER_VALUE', httpMsg.credentialsInUri());
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** A 5xx or 429 as the outage notice says it: the status, and the first line of the server's own message if it sent one. */
function failing(status: number, bytes: Buffer): string {
  let said: unknown;
  try {
    said = (JSON.parse(bytes.toString('utf8')) as { message?: unknown }).message;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  return httpMsg.serverFailing(status, typeof said === 'string' ? said : undefined);
}
