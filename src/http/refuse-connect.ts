/**
 * CONNECT (its target in authority-form, `host:port`, RFC 9112 §3.2.3) asks
 * for a tunnel, which only a proxy makes. Node hands it to the server's
 * 'connect' listeners and, without one, drops the connection without a
 * word; this answers 405 and closes it.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';

export interface ConnectRefusal {
  /** The methods the server answers, for the 405's Allow header. */
  readonly allow: string;
  readonly contentType: string;
  readonly body: string;
}

/** @example refuseConnect(server, { allow: 'GET, POST', contentType: 'text/plain', body: 'Not a proxy.' }) */
export function refuseConnect(server: http.Server, refusal: ConnectRefusal, refused?: (req: http.IncomingMessage) => void): void {
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    // Node took its own listeners off the socket: a client that resets it would be an uncaught 'error' event.
    socket.on('error', () => socket.destroy());
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${refusal.allow}\r\nConnection: close\r\n`
      + `Content-Type: ${refusal.contentType}\r\nContent-Length: ${Buffer.byteLength(refusal.body)}\r\n\r\n${refusal.body}`, () => socket.destroy());
    refused?.(req);
  });
}
