/**
 * `tracklab sync`: sends to the tracking server what did not reach it:
 * writes that sessions left in their outboxes (the server was down when
 * they ended), then runs logged with TRACKLAB_MODE=offline into the local
 * store. Idempotent: running it twice sends nothing twice.
 */
import * as fs from 'node:fs';
import { ContentStore } from '../../artifacts/content-store';
import { copyBlobs } from '../../artifacts/copy-blobs';
import { deliverOutboxes } from '../../store/http/outbox-sync';
import { openStore } from '../../store/open-store';
import type { TrackingClient } from '../../tracking/client';
import { syncOfflineRuns } from '../../tracking/offline-sync';
import { configuredTrackingUri, localStoreUri } from '../../tracking/settings';
import { UsageError, parse } from '../args';
import type { CommandContext } from '../command-context';
import type { Io } from '../output';

export const usage = 'tracklab sync [--tracking-uri http(s)://host:port]';

export async function sync(_client: TrackingClient, argv: readonly string[], io: Io, context: CommandContext): Promise<number> {
  parse(argv, {}, 0);
  const server = configuredTrackingUri(context.trackingUri);
  if (server.scheme !== 'http') {
    throw new UsageError(`tracklab sync sends to a tracking server: pass --tracking-uri http(s)://host:port or set TRACKLAB_TRACKING_URI (got ${server.display}).`);
  }
  const outboxes = await deliverOutboxes(server, (line) => io.err(line));
  io.out(`outboxes: ${outboxes.sent} queued write${outboxes.sent === 1 ? '' : 's'} from ${outboxes.files} file${outboxes.files === 1 ? '' : 's'} sent to ${server.display}`);
  for (const skipped of outboxes.skipped) io.out(`  left: ${skipped}`);
  const local = localStoreUri();
  if (local.scheme !== 'sqlite' || !fs.existsSync(local.file)) {
    io.out(`offline runs: none (no local store at ${local.display})`);
    return 0;
  }
  const from = await openStore(local);
  const to = await openStore(server);
  try {
    const report = await syncOfflineRuns(from.tracking, to.tracking, {
      folder: local.folder, server: server.display, log: (line) => io.out(`  ${line}`),
      // Only what the server lacks is copied into the artifact cache, where the remote store sends it from.
      stageContent: async (runId, entries) => {
        const missing = await to.remoteContent!.missing([...new Set(entries.map((e) => e.sha256))], { runId });
        await copyBlobs(new ContentStore(from.defaultArtifactRoot!), new ContentStore(to.defaultArtifactRoot!), missing);
      },
    });
    io.out(`offline runs: ${report.runs} run${report.runs === 1 ? '' : 's'} (${report.points} points) synced from ${local.display} to ${server.display}`);
    if (report.running.length > 0) io.out(`  still running, left for a later sync: ${report.running.join(', ')}`);
    if (report.refused.length > 0) {
      io.err(`offline runs: ${report.refused.length} refused by the server (above), left for a later sync: ${report.refused.map((r) => r.runId).join(', ')}`);
      return 1;
    }
  } finally {
    await to.close();
    await from.close();
  }
  return 0;
}
