import type { Run } from '../../entities';
import { naturalOrder } from '../../natural-order';
import type { TrackingClient } from '../../tracking/client';
import { formatDuration, formatTime } from '../../views/format';
import type { Cell } from '../../views/table';
import { flag, int, parse, str, strings } from '../args';
import { cliMsg } from '../messages';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab runs [-e EXP]... [--filter F] [--order-by O]... [--max N] [--all] [--json]';

export async function runs(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, {
    experiment: { type: 'string', short: 'e', multiple: true }, filter: { type: 'string' },
    'order-by': { type: 'string', multiple: true }, max: { type: 'string' },
    all: { type: 'boolean' }, json: { type: 'boolean' },
  }, 0);
  const experiments = strings(args, 'experiment');
  const { runs: found, nextPageToken } = await client.searchRuns({
    experiments: experiments.length ? experiments : undefined,
    filter: str(args, 'filter'),
    orderBy: strings(args, 'order-by'),
    maxResults: int(args, 'max', 100),
    viewType: flag(args, 'all') ? 'all' : 'active',
  });
  const names = await experimentNames(client, found);
  if (flag(args, 'json')) return printJson(io, { runs: found.map((r) => ({ ...r, experimentName: names.get(r.info.experimentId) ?? null })), nextPageToken });
  // Unless one experiment was asked for, the runs may come from several: name each run's.
  const keys = keyColumns(found);
  printTable(io, runsTable(found, nextPageToken !== undefined, experiments.length === 1 ? undefined : names, keys));
  // Left out without a word, a param or metric would look as if no run had logged it.
  if (keys.hiddenParams || keys.hiddenMetrics) io.out(cliMsg.runsColumnsHidden(keys.hiddenParams, keys.hiddenMetrics, MAX_KEY_COLUMNS));
}

/** Columns for params and for metrics, each: a wider table would wrap in a terminal. */
const MAX_KEY_COLUMNS = 6;

/** The param and metric keys the table has columns for (those most runs share), and how many it leaves out. */
export interface KeyColumns {
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly hiddenParams: number;
  readonly hiddenMetrics: number;
}

export function keyColumns(found: readonly Run[]): KeyColumns {
  const paramLists = found.map((r) => Object.keys(r.data.params));
  const metricLists = found.map((r) => Object.keys(r.data.metrics));
  const params = commonKeys(paramLists, MAX_KEY_COLUMNS);
  const metrics = commonKeys(metricLists, MAX_KEY_COLUMNS);
  return {
    params, metrics,
    hiddenParams: new Set(paramLists.flat()).size - params.length,
    hiddenMetrics: new Set(metricLists.flat()).size - metrics.length,
  };
}

/** The name of each experiment the runs belong to (null when it cannot be read). */
async function experimentNames(client: TrackingClient, found: readonly Run[]): Promise<Map<string, string | null>> {
  const ids = [...new Set(found.map((r) => r.info.experimentId))];
  const names = await Promise.all(ids.map((id) => client.getExperiment(id).then((e) => e.name, () => null)));
  return new Map(ids.map((id, i) => [id, names[i]]));
}

/**
 * Runs as rows, with the metrics and params most runs share as columns (see keyColumns),
 * and an experiment column when `experiments` (id -> name) is given.
 */
export function runsTable(found: readonly Run[], more: boolean, experiments?: ReadonlyMap<string, string | null>, keys = keyColumns(found)) {
  const { params: paramKeys, metrics: metricKeys } = keys;
  return {
    columns: [
      { title: 'run_id' }, { title: 'name' }, ...(experiments ? [{ title: 'experiment' }] : []),
      { title: 'status' }, { title: 'started' }, { title: 'duration', align: 'right' as const },
      ...paramKeys.map((k) => ({ title: `params.${k}` })),
      ...metricKeys.map((k) => ({ title: `metrics.${k}`, align: 'right' as const })),
    ],
    rows: found.map((r) => ({
      cells: [
        r.info.runId, r.info.runName, ...(experiments ? [experiments.get(r.info.experimentId) ?? r.info.experimentId] : []),
        r.info.status, formatTime(r.info.startTime),
        r.info.endTime === null ? '' : formatDuration(r.info.endTime - r.info.startTime),
        ...paramKeys.map((k): Cell => r.data.params[k] ?? null),
        ...metricKeys.map((k): Cell => r.data.metrics[k]?.last ?? null),
      ],
    })),
    note: more ? `more runs match: use --max to see more` : undefined,
  };
}

function commonKeys(keyLists: readonly string[][], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const keys of keyLists) for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || naturalOrder(a[0], b[0])).slice(0, limit).map(([k]) => k).sort(naturalOrder);
}
