/**
 * Requests Node itself refuses never reach the request handler: a client too
 * slow to send its headers (headersTimeout) or its whole request
 * (requestTimeout) gets 408, a malformed or oversized head 400 or 431. Node
 * reports them as the server's 'clientError'; this listener answers as Node
 * would and writes one structured log entry for each, so a slow-loris or a
 * broken proxy shows in the request log like every other request.
 *
 * When the handler was already running for that socket (the body was slow),
 * the handler writes the log entry itself: `timedOut` tells it the status.
 * The server's own body guards (request-deadlines.ts) end a request through
 * the same listener, so their 408s are answered and logged alike.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { REQUEST_TIMEOUT, UPLOAD_TOO_SLOW } from './request-deadlines';
import type { RequestLogEntry } from './request-log';

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The status Node answers a client error with. */
export function clientErrorStatus(err: NodeJS.ErrnoException): number {
  if (err.code === REQUEST_TIMEOUT || err.code === UPLOAD_TOO_SLOW) return 408;
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

export interface ClientErrorLogOptions {
  readonly log?: (entry: RequestLogEntry) => void;
  /** The response in progress on this socket, if the handler is running for it. */
  readonly inProgress: (socket: Duplex) => http.ServerResponse | undefined;
  /** Marks a response in progress as ended by this client error (the handler logs it with this status). */
  readonly markTimedOut: (res: http.ServerResponse, status: number, code: string) => void;
}

/** Returns the listener, for the server to end a request the same way (a body guard that expired). */
export function logClientErrors(server: http.Server, options: ClientErrorLogOptions): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  const connected = new WeakMap<Duplex, bigint>();
  server.on('connection', (socket: Duplex) => connected.set(socket, process.hrtime.bigint()));
  // A TLS server hands the request handler the TLS socket, not the raw connection.
  server.on('secureConnection', (socket: Duplex) => connected.set(socket, process.hrtime.bigint()));
  const onClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    const status = clientErrorStatus(err);
    const code = err.code ?? 'ERR_CLIENT';
    const res = options.inProgress(socket);
    if (res !== undefined) {
      options.markTimedOut(res, status, code);
    } else if (err.code !== 'ECONNRESET') { // a client that hung up between requests is no request
      // No request was parsed: the time is counted from when the connection opened.
      const opened = connected.get(socket);
      const ms = opened === undefined ? 0 : Number((process.hrtime.bigint() - opened) / 1000n) / 1000;
      options.log?.({ time: new Date().toISOString(), method: '?', path: '?', status, ms, error: code });
    }
    if (socket.writable && (res === undefined || !res.headersSent)) {
      const text = STATUS_TEXT[status] ?? 'Bad Request';
      const body = JSON.stringify({ error_code: 'BAD_REQUEST', message: text });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
    } else {
      socket.destroy();
    }
  };
  server.on('clientError', onClientError);
  return onClientError;
}
