import type { TrackingClient } from '../../tracking/client';
import { parse, str, strings, UsageError } from '../args';
import type { Io } from '../output';

export const usage = 'tracklab export --format arrow --output FILE [--run ID]... | [-e EXP]... [--filter F] [--key K]...';

export async function exportCommand(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, {
    format: { type: 'string' }, output: { type: 'string', short: 'o' }, run: { type: 'string', multiple: true },
    experiment: { type: 'string', short: 'e', multiple: true }, filter: { type: 'string' }, key: { type: 'string', multiple: true },
  }, 0);
  const format = str(args, 'format') ?? 'arrow';
  if (format !== 'arrow') throw new UsageError(`export writes Arrow IPC files only: use --format arrow (got "${format}"). For CSV or JSON of one run, use \`tracklab metrics\`.`);
  const output = str(args, 'output');
  if (!output) throw new UsageError(`Missing --output FILE. Usage: ${usage}`);
  const keys = strings(args, 'key');
  const runIds = strings(args, 'run');
  const experiments = strings(args, 'experiment');
  await client.exportArrow(output, runIds.length
    ? { runIds, keys: keys.length ? keys : undefined }
    : { experiments: experiments.length ? experiments : undefined, filter: str(args, 'filter'), keys: keys.length ? keys : undefined });
  io.err(`wrote ${output}`);
}
