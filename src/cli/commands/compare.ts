/** `tracklab compare RUN RUN...`: params (differences marked) and metrics (best marked) of runs side by side. */
import type { TrackingClient } from '../../tracking/client';
import { metricDiffs, metricDiffTable, paramDiffs, paramDiffTable } from '../../views/run-diff';
import { requireLoggedMetric } from '../../views/run-metrics';
import { flag, parse, strings, UsageError } from '../args';
import { cliMsg } from '../messages';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab compare RUN_ID RUN_ID [RUN_ID...] [--metric KEY]... [--json]';

export async function compare(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { metric: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  const ids = [...new Set(args.positionals)];
  if (ids.length < 2) throw new UsageError(cliMsg.compareNeedsRuns(usage));
  const runs = await Promise.all(ids.map((id) => client.getRun(id)));
  const keys = strings(args, 'metric');
  for (const key of keys) requireLoggedMetric(runs, key);
  const params = paramDiffs(runs);
  const metrics = metricDiffs(runs, keys.length ? keys : undefined);
  if (flag(args, 'json')) {
    return printJson(io, { runs: runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName, status: r.info.status })), params, metrics });
  }
  printTable(io, paramDiffTable(runs, params));
  io.out('');
  printTable(io, metricDiffTable(runs, metrics));
}
