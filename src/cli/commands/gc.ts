import type { TrackingClient } from '../../tracking/client';
import { flag, parse } from '../args';
import { printJson, type Io } from '../output';

export const usage = 'tracklab gc [--dry-run] [--json]';

export async function gc(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, 0);
  const result = await client.gc({ dryRun: flag(args, 'dry-run') });
  if (flag(args, 'json')) return printJson(io, result);
  io.out(`${flag(args, 'dry-run') ? 'would purge' : 'purged'} ${result.purgedRuns} deleted run(s), removed ${result.removedBlobs} blob(s), freed ${result.freedBytes} bytes`);
}
