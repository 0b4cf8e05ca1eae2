/**
 * The one way tracklab's HTTP servers start listening (tracking server, web
 * UI): resolves once the server listens. A port in use or a host that cannot
 * be bound rejects with an INVALID_STATE TracklabError that says what to do,
 * so `tracklab server` and `tracklab ui` print one line, not Node's stack.
 */
import type { Server } from 'node:net';
import { TracklabError } from '../errors';
import { msg } from '../messages';

/** @example await listen(http.createServer(handle), 5000, '127.0.0.1'); */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new TracklabError('INVALID_STATE', err.code === 'EADDRINUSE'
        ? msg.portInUse(host, port) : msg.listenFailed(host, port, err.message), { cause: err }));
    });
    server.listen(port, host, () => resolve());
  });
}
