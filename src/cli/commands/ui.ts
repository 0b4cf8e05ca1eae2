/** `tracklab ui`: the web UI over the store, on 127.0.0.1. Prints the URL and opens nothing. */
import * as path from 'node:path';
import { RegistryClient } from '../../registry/registry-client';
import { TrackingClient } from '../../tracking/client';
import { startUiServer } from '../../ui/start-ui-server';
import { flag, parse, str, UsageError } from '../args';
import type { Io } from '../output';

export const usage = 'tracklab ui [--port 5000] [--tracking-uri URI] [--read-only]';

export async function ui(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { port: { type: 'string' }, 'tracking-uri': { type: 'string' }, 'read-only': { type: 'boolean' } }, 0);
  const port = portOf(str(args, 'port'));
  const uri = str(args, 'tracking-uri');
  const tracking = uri === undefined ? client : new TrackingClient({ home: storeFolder(uri) });
  const registry = new RegistryClient({ tracking });
  const readOnly = flag(args, 'read-only');
  const { url, close } = await startUiServer({ client: tracking, registry, readOnly, port });
  io.out(`tracklab ui: ${url}  (store ${tracking.home}${readOnly ? ', read-only' : ''}). Stop with Ctrl-C.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  registry.close();
  if (tracking !== client) await tracking.close();
  io.out('stopped');
}

/** A store folder from `--tracking-uri`: a path or a `file:` / `sqlite:` URI of one. */
function storeFolder(uri: string): string {
  if (uri.startsWith('file://')) return new URL(uri).pathname;
  if (uri.startsWith('sqlite:')) return path.resolve(uri.replace(/^sqlite:(\/\/)?/, ''));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new UsageError(`--tracking-uri ${uri}: this build opens store folders (a path, file:// or sqlite:); other stores come with the store backends.`);
  return path.resolve(uri);
}

function portOf(text: string | undefined): number {
  if (text === undefined) return 5000;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`--port takes a whole number from 0 to 65535 (0 picks a free port), got "${text}".`);
  return n;
}
