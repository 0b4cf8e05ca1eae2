import type { TrackingClient } from '../../tracking/client';
import type { RunInput } from '../../entities';
import { formatDuration, formatNumber, formatTime } from '../../views/format';
import { groupTags, noteOf } from '../../views/run-tags';
import { flag, parse, UsageError } from '../args';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab run show RUN_ID [--json] [--source]';

export async function runShow(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' }, source: { type: 'boolean' } }, 1);
  const runId = args.positionals[0];
  if (!runId) throw new UsageError(`Missing RUN_ID. Usage: ${usage}`);
  const run = await client.getRun(runId);
  const [artifacts, cells, inputs] = await Promise.all([client.listArtifacts(runId), client.listCells(runId), client.listInputs(runId)]);
  if (flag(args, 'json')) return printJson(io, { ...run, inputs: inputs.map(({ runId: _, ...input }) => input), artifacts, cells });

  const { info, data } = run;
  const end = info.endTime ?? Date.now();
  io.out([
    `${info.runName}  (${info.runId})`,
    `  status      ${info.status}${info.statusMessage ? ` — ${info.statusMessage}` : ''}`,
    `  experiment  ${info.experimentId}`,
    `  started     ${formatTime(info.startTime)}   duration ${formatDuration(end - info.startTime)}${info.endTime === null ? ' (still running)' : ''}`,
    info.parentRunId ? `  parent      ${info.parentRunId}` : '',
    info.user ? `  user        ${info.user}` : '',
  ].filter(Boolean).join('\n'));
  const note = noteOf(data.tags);
  if (note !== undefined) io.out(`\nnote\n${indent(note)}`);
  section(io, 'params', Object.entries(data.params).map(([k, v]) => [k, v]));
  printMetrics(io, Object.values(data.metrics));
  printInputs(io, inputs);
  const tags = groupTags(data.tags, { dependenciesHint: ' (see --json)' });
  section(io, 'provenance', tags.provenance.map(([k, v]) => [k, v]));
  section(io, 'tags', tags.other.map(([k, v]) => [k, v]));
  if (artifacts.length) {
    io.out('\nartifacts');
    printTable(io, { columns: [{ title: 'path' }, { title: 'bytes' }, { title: 'sha256' }], rows: artifacts.map((a) => ({ cells: [a.path, a.size, a.sha256.slice(0, 12)] })) });
  }
  if (cells.length) {
    io.out('\ncells');
    printTable(io, {
      columns: [{ title: '#' }, { title: 'status' }, { title: 'duration', align: 'right' }, { title: 'source' }],
      rows: cells.map((c) => ({ cells: [c.executionCount === null ? '' : `[${c.executionCount}]`, c.status + (c.error ? `: ${c.error}` : ''), c.endTime === null ? '' : formatDuration(c.endTime - c.startTime), firstLine(c.source)] })),
    });
    if (flag(args, 'source')) for (const c of cells) io.out(`\n--- cell [${c.executionCount ?? ''}] ---\n${c.source}`);
    else io.out('(--source prints each cell in full)');
  }
}

function section(io: Io, title: string, rows: string[][]): void {
  if (!rows.length) return;
  io.out(`\n${title}`);
  printTable(io, { columns: [{ title: 'key' }, { title: 'value' }], rows: rows.map((cells) => ({ cells })) });
}

function printMetrics(io: Io, metrics: readonly { key: string; last: number; lastStep: number; min: number; max: number; count: number }[]): void {
  if (!metrics.length) return;
  io.out('\nmetrics');
  printTable(io, {
    columns: [{ title: 'key' }, { title: 'last', align: 'right' }, { title: 'step', align: 'right' }, { title: 'min', align: 'right' }, { title: 'max', align: 'right' }, { title: 'points', align: 'right' }],
    rows: [...metrics].sort((a, b) => a.key.localeCompare(b.key)).map((m) => ({ cells: [m.key, formatNumber(m.last), m.lastStep, formatNumber(m.min), formatNumber(m.max), m.count] })),
  });
}

function printInputs(io: Io, inputs: readonly RunInput[]): void {
  if (!inputs.length) return;
  io.out('\ndatasets');
  printTable(io, {
    columns: [{ title: 'name' }, { title: 'digest' }, { title: 'context' }, { title: 'rows', align: 'right' }, { title: 'source' }],
    rows: inputs.map((i) => ({ cells: [i.dataset.name, i.dataset.digest.slice(0, 12), i.context, i.dataset.numRows, i.dataset.source] })),
  });
}

/** The note as written (several lines kept), indented under its heading; control characters cannot move the cursor. */
function indent(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').split('\n').map((line) => `  ${line}`).join('\n');
}

function firstLine(source: string): string {
  const lines = source.trim().split('\n');
  return lines[0] + (lines.length > 1 ? ` … (+${lines.length - 1} lines)` : '');
}
