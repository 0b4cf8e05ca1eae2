import type { TrackingClient } from '../../tracking/client';
import { flag, parse } from '../args';
import { cliMsg } from '../messages';
import { printJson, type Io } from '../output';

export const usage = 'tracklab gc [--dry-run] [--json]';

export async function gc(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, 0);
  const result = await client.gc({ dryRun: flag(args, 'dry-run') });
  if (flag(args, 'json')) return printJson(io, result);
  io.out(cliMsg.gcDone(result, flag(args, 'dry-run')));
}
