/** `tracklab compare RUN RUN...`: params (differences marked) and metrics (best marked) of runs, by id or name, side by side. */
import type { Run } from '../../entities';
import type { TrackingClient } from '../../tracking/client';
import { metricDiffs, metricDiffTable, paramDiffs, paramDiffTable } from '../../views/run-diff';
import { requireLoggedMetric } from '../../views/run-metrics';
import { flag, parse, strings, UsageError } from '../args';
import { cliMsg } from '../messages';
import { printJson, printTable, type Io } from '../output';
import { findRun } from '../run-ref';

export const usage = 'tracklab compare RUN RUN [RUN...] [--metric KEY]... [--json]';

export async function compare(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { metric: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  const refs = [...new Set(args.positionals)];
  if (refs.length < 2) throw new UsageError(cliMsg.compareNeedsRuns(usage));
  // One at a time, so that of several bad names the first is the one reported.
  const runs: Run[] = [];
  for (const ref of refs) {
    const run = await findRun(client, ref);
    if (!runs.some((r) => r.info.runId === run.info.runId)) runs.push(run);
  }
  if (runs.length < 2) throw new UsageError(cliMsg.compareNeedsRuns(usage));
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
