import { TracklabError } from '../../errors';
import { writeFileAtomic } from '../../files/durable-file';
import type { TrackingClient } from '../../tracking/client';
import { parse, str, UsageError } from '../args';
import { cliMsg } from '../messages';
import type { Io } from '../output';
import { findRun } from '../run-ref';

export const usage = 'tracklab metrics RUN [KEY] [--format csv|json|arrow] [--output FILE]';

const formats = ['csv', 'json', 'arrow'] as const;

export async function metrics(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { format: { type: 'string' }, output: { type: 'string', short: 'o' } }, 2);
  const [ref, key] = args.positionals;
  if (!ref) throw new UsageError(`Missing RUN (a run id or name). Usage: ${usage}`);
  const format = str(args, 'format') ?? 'csv';
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${formats.join(', ')}, got "${format}".`);
  const output = str(args, 'output');
  const run = await findRun(client, ref);
  const runId = run.info.runId;
  if (key !== undefined) {
    // An unknown key is a mistake to point out, not an empty history.
    const keys = Object.keys(run.data.metrics).sort();
    if (!keys.includes(key)) throw new TracklabError('RESOURCE_DOES_NOT_EXIST', cliMsg.noSuchMetric(runId, key, keys));
  }
  if (format === 'arrow') {
    // One code path writes Arrow files: the client's exporter.
    if (!output) throw new UsageError('--format arrow writes a binary file: give --output FILE.');
    await client.exportArrow(output, { runIds: runId, keys: key ? [key] : undefined });
    io.err(`wrote ${output}`);
    return;
  }
  const table = await client.metricHistory(runId, key ? [key] : undefined);
  const text = format === 'json' ? toJson(table) : toCsv(table);
  if (output) {
    await writeFileAtomic(output, text, { doing: `write the metric history to ${output}` });
    io.err(`wrote ${table.numRows} points to ${output}`);
  } else io.out(text);
}

interface ArrowLike {
  readonly numRows: number;
  getChild(name: string): { get(i: number): unknown } | null;
}

const columns = ['run_id', 'key', 'step', 'timestamp', 'value'] as const;

function cellsOf(table: ArrowLike): Array<Array<unknown>> {
  const cols = columns.map((c) => table.getChild(c));
  const rows: unknown[][] = [];
  for (let i = 0; i < table.numRows; i++) rows.push(cols.map((col) => plain(col?.get(i))));
  return rows;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return v;
}

function toCsv(table: ArrowLike): string {
  const lines = [columns.join(',')];
  for (const row of cellsOf(table)) lines.push(row.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : String(v)) : String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toJson(table: ArrowLike): string {
  const rows = cellsOf(table).map((r) => Object.fromEntries(columns.map((c, i) => [c, typeof r[i] === 'number' && !Number.isFinite(r[i] as number) ? String(r[i]) : r[i]])));
  return JSON.stringify(rows, null, 2) + '\n';
}
