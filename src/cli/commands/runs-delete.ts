/**
 * `tracklab runs delete|restore RUN_ID...`: soft deletion, as MLflow does. A
 * deleted run is hidden from searches (`tracklab runs --all` shows it) and
 * keeps its data until `tracklab gc` purges it; restore brings it back.
 */
import type { TrackingClient } from '../../tracking/client';
import { parse, UsageError } from '../args';
import { cliMsg } from '../messages';
import type { Io } from '../output';

export const deleteUsage = 'tracklab runs delete RUN_ID...';
export const restoreUsage = 'tracklab runs restore RUN_ID...';

async function ids(client: TrackingClient, argv: readonly string[], usage: string): Promise<string[]> {
  const { positionals } = parse(argv, {});
  if (positionals.length === 0) throw new UsageError(cliMsg.missingArgument('RUN_ID', usage));
  // Every id is checked before any run changes, so a typo changes nothing.
  for (const id of positionals) await client.getRun(id);
  return positionals;
}

export async function runsDelete(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const runIds = await ids(client, argv, deleteUsage);
  for (const id of runIds) await client.deleteRun(id);
  io.out(cliMsg.runsDeleted(runIds));
}

export async function runsRestore(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const runIds = await ids(client, argv, restoreUsage);
  for (const id of runIds) await client.restoreRun(id);
  io.out(cliMsg.runsRestored(runIds));
}
