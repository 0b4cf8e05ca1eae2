import type { TrackingClient } from '../../tracking/client';
import { flag, parse, UsageError } from '../args';
import { printJson, stderrIsTerminal, type Io } from '../output';
import { formatBytes, progressPrinter } from './progress-line';

export const usage = 'tracklab backup DEST [--json]';

/** Copies the live store into DEST (new or empty) while others keep logging. Exit 1 when referenced content was already missing or damaged. */
export async function backup(client: TrackingClient, argv: readonly string[], io: Io): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' } }, 1);
  const [dest] = args.positionals;
  if (!dest) throw new UsageError(`Missing DEST, the folder to copy the store into. Usage: ${usage}`);
  // Not to a log: the closing "backed up ..." line is the summary.
  const progress = stderrIsTerminal(io) ? progressPrinter(io, 'backup', (phase) => (phase === 'database' ? 'pages' : 'blobs')) : undefined;
  const result = await client.backup(dest, {
    onProgress: progress && ((p) => progress({ ...p, detail: p.bytes !== undefined ? formatBytes(p.bytes) : undefined })),
  });
  const lost = result.missing.length + result.damaged.length;
  if (flag(args, 'json')) printJson(io, result);
  else io.out(`backed up ${client.home} to ${result.dest}: the database and ${result.blobs} artifact blob(s), ${formatBytes(result.bytes)}. Open it with --home ${result.dest}`);
  if (lost === 0) return 0;
  io.err(`warning: ${result.missing.length} referenced blob(s) were missing and ${result.damaged.length} damaged in the store, so the backup lacks them. Run "tracklab doctor" on the store.`);
  return 1;
}
