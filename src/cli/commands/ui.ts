/** `tracklab ui`: the web UI over the store, on 127.0.0.1. Prints the URL and opens nothing. */
import { RegistryClient } from '../../registry/registry-client';
import type { TrackingClient } from '../../tracking/client';
import { startUiServer } from '../../ui/start-ui-server';
import { flag, parse, portOf, str } from '../args';
import { untilStopSignal } from '../stop-signal';
import type { Io } from '../output';

export const usage = 'tracklab ui [--port 5000] [--read-only]   (the store: --tracking-uri URI or --home DIR, as every command)';

export async function ui(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { port: { type: 'string' }, 'read-only': { type: 'boolean' } }, 0);
  const port = portOf(str(args, 'port'));
  const registry = new RegistryClient({ tracking: client });
  const readOnly = flag(args, 'read-only');
  // Opens the store now: a missing one is an error here, not on the first page load.
  await client.searchExperiments({ maxResults: 1 });
  const { url, close } = await startUiServer({ client, registry, readOnly, port });
  // `home` is the store folder, or the tracking URI with its password masked.
  io.out(`tracklab ui: ${url}  (store ${client.home}${readOnly ? ', read-only' : ''}). Stop with Ctrl-C.`);
  await untilStopSignal();
  await close();
  registry.close();
  io.out('stopped');
}
