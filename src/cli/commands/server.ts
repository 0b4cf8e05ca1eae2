/**
 * `tracklab server`: serves the store (any tracking URI) over MLflow's REST
 * API, with the web UI at `/`, until SIGINT or SIGTERM, then finishes the
 * requests in flight, closes the store and exits 0. One JSON line per
 * request goes to stderr (with --quiet, only the requests that failed inside
 * the server). `--auth` turns on users, tokens and permissions; `--tls-cert`
 * and `--tls-key` serve HTTPS; `--cors-origins` lets listed web origins call the API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../../errors';
import { ensureAdmin } from '../../server/auth/admin-bootstrap';
import { parsePermission } from '../../server/auth/permissions';
import type { ServerAuth } from '../../server/auth/server-auth';
import { isLoopbackHost } from '../../serving/allowed-hosts';
import { serverMsg } from '../../server/messages';
import { startTrackingServer } from '../../server/tracking-server';
import { openStore } from '../../store/open-store';
import { parseArtifactRoot } from '../../store/store-uri';
import type { TrackingClient } from '../../tracking/client';
import { resolveStore } from '../../tracking/settings';
import { UsageError, flag, int, parse, str, strings } from '../args';
import { untilStopSignal } from '../stop-signal';
import type { CommandContext } from '../command-context';
import type { Io } from '../output';
import { terminalAdminPrompt } from './admin-prompt';

export const usage = 'tracklab server [--tracking-uri URI] [--artifacts-destination PATH] [--host 127.0.0.1] [--port 5000] '
  + '[--allowed-hosts NAME[,NAME...]] [--auth] [--auth-db FILE] [--default-permission PERMISSION] [--insecure-no-auth] '
  + '[--tls-cert FILE --tls-key FILE] [--cors-origins ORIGIN[,ORIGIN...]] [--no-ui] [--max-body-bytes N] [--max-artifact-bytes N] [--quiet]';

/** Where the auth database goes by default: beside a SQLite store's database, else in the current folder (as MLflow's basic_auth.db). */
function defaultAuthDb(folder: string | undefined): string {
  return folder !== undefined ? path.join(folder, 'auth.db') : path.resolve('tracklab-auth.db');
}

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tlsHalf());
  const read = (what: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.tlsUnreadable(what, file, (err as NodeJS.ErrnoException).code ?? String(err)));
    }
  };
  return { cert: read('certificate', certFile), key: read('key', keyFile) };
}

function list(values: readonly string[]): string[] {
  return values.flatMap((h) => h.split(',')).map((h) => h.trim()).filter((h) => h !== '');
}

export async function server(_client: TrackingClient, argv: readonly string[], io: Io, context: CommandContext): Promise<number> {
  const args = parse(argv, {
    'artifacts-destination': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'allowed-hosts': { type: 'string', multiple: true },
    'insecure-no-auth': { type: 'boolean' },
    auth: { type: 'boolean' },
    'auth-db': { type: 'string' },
    'default-permission': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'cors-origins': { type: 'string', multiple: true },
    'no-ui': { type: 'boolean' },
    'max-body-bytes': { type: 'string' },
    'max-artifact-bytes': { type: 'string' },
    quiet: { type: 'boolean' },
  }, 0);
  const portText = str(args, 'port');
  const port = portText === '0' ? 0 : int(args, 'port', 5000);
  if (port > 65535) throw new UsageError(`--port takes a port number up to 65535, got "${portText}".`);
  const allowedHosts = list(strings(args, 'allowed-hosts'));
  const useAuth = flag(args, 'auth');
  if (!useAuth && (str(args, 'auth-db') !== undefined || str(args, 'default-permission') !== undefined)) {
    throw new UsageError('--auth-db and --default-permission go with --auth.');
  }
  const defaultPermission = str(args, 'default-permission') === undefined ? undefined : parsePermission(str(args, 'default-permission'), '--default-permission');
  const tls = readTls(str(args, 'tls-cert'), str(args, 'tls-key'));
  const resolved = resolveStore(context);
  const backend = await openStore(resolved.uri);
  try {
    const destination = str(args, 'artifacts-destination');
    const artifacts = destination !== undefined ? parseArtifactRoot(destination) : resolved.artifactRoot ?? backend.defaultArtifactRoot;
    if (artifacts !== undefined) fs.mkdirSync(artifacts, { recursive: true });
    const quiet = flag(args, 'quiet');
    const auth = useAuth ? {
      dbFile: str(args, 'auth-db') ?? defaultAuthDb(backend.uri.scheme === 'sqlite' ? backend.uri.folder : undefined),
      defaultPermission,
      prepare: async (ready: ServerAuth) => {
        for (const notice of ready.db.notices) io.err(notice);
        const created = await ensureAdmin(ready.db, process.env, terminalAdminPrompt);
        if (created !== undefined) io.out(created);
      },
    } : undefined;
    const host = str(args, 'host');
    if (auth !== undefined && tls === undefined && host !== undefined && !isLoopbackHost(host)) io.err(serverMsg.authWithoutTls(host));
    const running = await startTrackingServer({
      backend,
      host,
      port,
      allowedHosts,
      insecureNoAuth: flag(args, 'insecure-no-auth'),
      auth,
      tls,
      corsOrigins: list(strings(args, 'cors-origins')),
      ui: !flag(args, 'no-ui'),
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
    if (running.auth !== undefined) io.out(`  auth: on (users in ${running.auth.db.file}; default permission ${running.auth.defaultPermission})`);
    if (!flag(args, 'no-ui')) io.out(`  web UI: ${running.url}/`);
    await untilStopSignal();
    io.out('tracklab server: shutting down (finishing requests in flight)');
    await running.close();
    return 0;
  } finally {
    await backend.close();
  }
}
