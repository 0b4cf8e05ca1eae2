/**
 * `tracklab experiments create|rename|delete|restore`. Deleting is soft, as in
 * MLflow: the experiment and its runs are hidden (`--all` shows them) until
 * restored; its name stays taken meanwhile.
 */
import type { TrackingClient } from '../../tracking/client';
import { parse, str, UsageError } from '../args';
import { cliMsg } from '../messages';
import type { Io } from '../output';

export const createUsage = 'tracklab experiments create NAME [--description TEXT]';
export const renameUsage = 'tracklab experiments rename ID|NAME NEW_NAME';
export const deleteUsage = 'tracklab experiments delete ID|NAME';
export const restoreUsage = 'tracklab experiments restore ID|NAME';

function positionals(argv: readonly string[], count: number, what: string, usage: string, options = {}) {
  const parsed = parse(argv, options, count);
  if (parsed.positionals.length < count) throw new UsageError(cliMsg.missingArgument(what, usage));
  return parsed;
}

export async function experimentsCreate(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = positionals(argv, 1, 'NAME', createUsage, { description: { type: 'string' } });
  const exp = await client.createExperiment(args.positionals[0]!, { description: str(args, 'description') });
  io.out(cliMsg.experimentCreated(exp.experimentId, exp.name));
}

export async function experimentsRename(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const [ref, newName] = positionals(argv, 2, 'ID|NAME and NEW_NAME', renameUsage).positionals;
  const before = await client.getExperiment(ref!);
  const after = await client.renameExperiment(before.experimentId, newName!);
  io.out(cliMsg.experimentRenamed(after.experimentId, before.name, after.name));
}

export async function experimentsDelete(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const [ref] = positionals(argv, 1, 'ID|NAME', deleteUsage).positionals;
  const exp = await client.getExperiment(ref!);
  await client.deleteExperiment(exp.experimentId);
  io.out(cliMsg.experimentDeleted(exp.experimentId, exp.name));
}

export async function experimentsRestore(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const [ref] = positionals(argv, 1, 'ID|NAME', restoreUsage).positionals;
  const exp = await client.getExperiment(ref!);
  await client.restoreExperiment(exp.experimentId);
  io.out(cliMsg.experimentRestored(exp.experimentId, exp.name));
}
