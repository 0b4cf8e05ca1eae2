import type { TrackingClient } from '../../tracking/client';
import type { Run, RunInput } from '../../entities';
import { formatDuration, formatNumber, formatTime } from '../../views/format';
import { groupTags, noteOf } from '../../views/run-tags';
import { flag, parse, UsageError } from '../args';
import { printJson, printTable, type Io } from '../output';
import { findRun } from '../run-ref';

export const usage = 'tracklab run show RUN [--json] [--source]';

export async function runShow(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' }, source: { type: 'boolean' } }, 1);
  const ref = args.positionals[0];
  if (!ref) throw new UsageError(`Missing RUN (a run id or name). Usage: ${usage}`);
  const run = await findRun(client, ref);
  const runId = run.info.runId;
  const [artifacts, cells, inputs, family] = await Promise.all([
    client.listArtifacts(runId), client.listCells(runId), client.listInputs(runId), relatives(client, run),
  ]);
  if (flag(args, 'json')) return printJson(io, { ...run, ...family, inputs: inputs.map(({ runId: _, ...input }) => input), artifacts, cells });

  const { info, data } = run;
  const end = info.endTime ?? Date.now();
  const parent = family.parent;
  io.out([
    `${info.runName}  (${info.runId})`,
    `  status      ${info.status}${info.statusMessage ? ` — ${info.statusMessage}` : ''}`,
    info.lifecycleStage === 'deleted' ? `  deleted     searches leave it out; restore with: tracklab runs restore ${info.runId}` : '',
    `  experiment  ${family.experimentName === null ? info.experimentId : `${family.experimentName} (id ${info.experimentId})`}`,
    `  started     ${formatTime(info.startTime)}   duration ${formatDuration(end - info.startTime)}${info.endTime === null ? ' (still running)' : ''}`,
    parent ? `  parent      ${parent.runName === null ? parent.runId : `${parent.runName} (${parent.runId})`}` : '',
    family.children.length ? `  children    ${family.children.length} run(s), listed below` : '',
    info.user ? `  user        ${info.user}` : '',
  ].filter(Boolean).join('\n'));
  const note = noteOf(data.tags);
  if (note !== undefined) io.out(`\nnote\n${indent(note)}`);
  printChildren(io, family.children);
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

interface Family {
  readonly experimentName: string | null;
  readonly parent: { readonly runId: string; readonly runName: string | null } | null;
  readonly children: readonly { readonly runId: string; readonly runName: string; readonly status: string; readonly experimentId: string }[];
}

/** The run's experiment name, its parent run and its child runs (in any experiment, deleted ones included). */
async function relatives(client: TrackingClient, run: Run): Promise<Family> {
  const { info } = run;
  const [experiment, parent, children] = await Promise.all([
    client.getExperiment(info.experimentId).then((e) => e.name, () => null),
    info.parentRunId ? client.getRun(info.parentRunId).then((p) => p.info.runName, () => null) : Promise.resolve(null),
    client.searchRuns({ filter: `attributes.parent_run_id = '${info.runId}'`, orderBy: ['attributes.start_time ASC'], maxResults: 1000, viewType: 'all' }),
  ]);
  return {
    experimentName: experiment,
    parent: info.parentRunId ? { runId: info.parentRunId, runName: parent } : null,
    children: children.runs.map((c) => ({ runId: c.info.runId, runName: c.info.runName, status: c.info.status, experimentId: c.info.experimentId })),
  };
}

function printChildren(io: Io, children: Family['children']): void {
  if (!children.length) return;
  io.out('\nchild runs');
  printTable(io, { columns: [{ title: 'run_id' }, { title: 'name' }, { title: 'status' }], rows: children.map((c) => ({ cells: [c.runId, c.runName, c.status] })) });
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
