/**
 * `tracklab server`: serves the store (any tracking URI) over MLflow's REST
 * API until SIGINT or SIGTERM, then finishes the requests in flight, closes
 * the store and exits 0. One JSON line per request goes to stderr (with
 * --quiet, only the requests that failed inside the server).
 */
import * as fs from 'node:fs';
import { startTrackingServer } from '../../server/tracking-server';
import { openStore } from '../../store/open-store';
import { parseArtifactRoot } from '../../store/store-uri';
import type { TrackingClient } from '../../tracking/client';
import { resolveStore } from '../../tracking/settings';
import { UsageError, flag, int, parse, str, strings } from '../args';
import type { CommandContext } from '../command-context';
import type { Io } from '../output';

export const usage = 'tracklab server [--tracking-uri URI] [--artifacts-destination PATH] [--host 127.0.0.1] [--port 5000] '
  + '[--allowed-hosts NAME[,NAME...]] [--insecure-no-auth] [--max-body-bytes N] [--max-artifact-bytes N] [--quiet]';

export async function server(_client: TrackingClient, argv: readonly string[], io: Io, context: CommandContext): Promise<number> {
  const args = parse(argv, {
    'artifacts-destination': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'allowed-hosts': { type: 'string', multiple: true },
    'insecure-no-auth': { type: 'boolean' },
    'max-body-bytes': { type: 'string' },
    'max-artifact-bytes': { type: 'string' },
    quiet: { type: 'boolean' },
  }, 0);
  const portText = str(args, 'port');
  const port = portText === '0' ? 0 : int(args, 'port', 5000);
  if (port > 65535) throw new UsageError(`--port takes a port number up to 65535, got "${portText}".`);
  const allowedHosts = strings(args, 'allowed-hosts').flatMap((h) => h.split(',')).map((h) => h.trim()).filter((h) => h !== '');
  const resolved = resolveStore(context);
  const backend = await openStore(resolved.uri);
  let stop: (() => void) | undefined;
  try {
    const destination = str(args, 'artifacts-destination');
    const artifacts = destination !== undefined ? parseArtifactRoot(destination) : resolved.artifactRoot ?? backend.defaultArtifactRoot;
    if (artifacts !== undefined) fs.mkdirSync(artifacts, { recursive: true });
    const quiet = flag(args, 'quiet');
    const running = await startTrackingServer({
      backend,
      host: str(args, 'host'),
      port,
      allowedHosts,
      insecureNoAuth: flag(args, 'insecure-no-auth'),
      maxBodyBytes: args.values['max-body-bytes'] === undefined ? undefined : int(args, 'max-body-bytes', 0),
      artifactRoot: artifacts,
      maxArtifactBytes: args.values['max-artifact-bytes'] === undefined ? undefined : int(args, 'max-artifact-bytes', 0),
      // --quiet drops the request log, never the failures of the server itself.
      log: (entry) => { if (!quiet || entry.error !== undefined) io.err(JSON.stringify(entry)); },
    });
    io.out(`tracklab server listening on ${running.url}`);
    io.out(`  store: ${backend.uri.display}`);
    io.out(`  artifacts: ${artifacts ?? '(none: pass --artifacts-destination to serve them)'}`);
    io.out(`  MLflow clients: MLFLOW_TRACKING_URI=${running.url}`);
    await new Promise<void>((resolve) => {
      stop = resolve;
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    io.out('tracklab server: shutting down (finishing requests in flight)');
    await running.close();
    return 0;
  } finally {
    if (stop !== undefined) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    await backend.close();
  }
}
