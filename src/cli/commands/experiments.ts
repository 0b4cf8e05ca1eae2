import type { TrackingClient } from '../../tracking/client';
import { flag, parse, str, int } from '../args';
import { formatTime } from '../../views/format';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab experiments [--filter F] [--order-by O] [--all] [--max N] [--json]';

export async function experiments(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, {
    filter: { type: 'string' }, 'order-by': { type: 'string', multiple: true },
    all: { type: 'boolean' }, max: { type: 'string' }, json: { type: 'boolean' },
  }, 0);
  const { experiments: list } = await client.searchExperiments({
    filter: str(args, 'filter'),
    orderBy: args.values['order-by'] as string[] | undefined,
    maxResults: int(args, 'max', 1000),
    viewType: flag(args, 'all') ? 'all' : 'active',
  });
  if (flag(args, 'json')) return printJson(io, list);
  printTable(io, {
    columns: [{ title: 'id' }, { title: 'name' }, { title: 'stage' }, { title: 'created' }, { title: 'description' }],
    rows: list.map((e) => ({ cells: [e.experimentId, e.name, e.lifecycleStage, formatTime(e.creationTime), e.description ?? ''] })),
  });
}
