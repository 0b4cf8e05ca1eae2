/** Serves the UI handler on loopback: what `tracklab ui` runs, and what tests start. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeIdleClients } from '../http/idle-timeout';
import { listen } from '../http/listen';
import { refuseConnect } from '../http/refuse-connect';
import { createUiHandler, type UiOptions } from './ui-handler';
import { defaultAllowedHosts } from './security';

export interface UiServer {
  readonly server: http.Server;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (port 0 picks a free one). Allowed hosts default to the loopback names on the bound port.
 * @example const { url, close } = await startUiServer({ client, registry, port: 5000 });
 */
export async function startUiServer(options: Omit<UiOptions, 'allowedHosts'> & { port?: number; allowedHosts?: readonly string[] }): Promise<UiServer> {
  let handler: ReturnType<typeof createUiHandler> | undefined;
  const server = http.createServer((req, res) => handler?.(req, res));
  // Requests may take long (a 1M-point chart) but a slow client must not hold a socket forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  // A client that stops reading its answer is closed, not kept forever; a chart that takes long to compute is not.
  closeIdleClients(server, 120_000);
  refuseConnect(server, { allow: 'GET, HEAD, POST', contentType: 'text/plain; charset=utf-8', body: 'This server is not a proxy: it answers no CONNECT.' });
  await listen(server, options.port ?? 0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  handler = createUiHandler({ ...options, allowedHosts: options.allowedHosts ?? defaultAllowedHosts(port) });
  const ui = handler;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      ui.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
