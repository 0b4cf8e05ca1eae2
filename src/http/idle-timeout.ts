/**
 * The idle timeout of tracklab's HTTP servers: a connection on which nothing
 * was read or written for `ms` is closed, but only while the server waits on
 * its client: between requests, while a request is still arriving, or while
 * an answer waits for the client to read it. Node's `server.timeout` counts
 * any silence, so a request whose handler works for longer than `ms`
 * without writing (a slow store, a lock held elsewhere) lost its connection
 * and its answer. While the handler works the timeout is only re-armed.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * @example closeIdleClients(server, 120_000, (socket, res) => logTimeout(res));
 * `onClose` runs before the socket is destroyed, with the response in progress if there is one.
 */
export function closeIdleClients(server: http.Server, ms: number, onClose?: (socket: Duplex, res: http.ServerResponse | undefined) => void): void {
  const current = new WeakMap<Duplex, { req: http.IncomingMessage; res: http.ServerResponse }>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    current.set(req.socket, { req, res });
    res.once('close', () => { if (current.get(req.socket)?.res === res) current.delete(req.socket); });
  });
  server.timeout = ms;
  // With a listener here Node leaves the socket open: this decides.
  server.on('timeout', (socket: Duplex & { setTimeout(ms: number): unknown }) => {
    const exchange = current.get(socket);
    if (exchange !== undefined && !waitingOnClient(socket, exchange.req, exchange.res)) {
      socket.setTimeout(ms);
      return;
    }
    onClose?.(socket, exchange?.res);
    socket.destroy();
  });
}

/** True unless the handler is working: the body is all here (or held back by the server itself) and nothing waits to be read. */
function waitingOnClient(socket: Duplex, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  // A paused socket is one the server stopped reading (its handler has not read the body yet).
  const receiving = !req.complete && !socket.isPaused();
  const unread = socket.writableLength > 0 || res.writableNeedDrain;
  return receiving || unread;
}
