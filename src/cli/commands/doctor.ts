import type { TrackingClient, TrackingClientOptions } from '../../tracking/client';
import { flag, parse } from '../args';
import { printJson, stderrIsTerminal, type Io } from '../output';
import { progressPrinter } from './progress-line';

export const usage = 'tracklab doctor [--fix] [--json]';

/** Runs stuck RUNNING are reported by the doctor, not repaired behind its back when the store opens. */
export const clientOptions: TrackingClientOptions = { reapCrashedRuns: false };

/** Checks the store; repairs only with --fix. Exit 0 when healthy (or everything was fixed), 1 otherwise. */
export async function doctor(client: TrackingClient, argv: readonly string[], io: Io): Promise<number> {
  const args = parse(argv, { fix: { type: 'boolean' }, json: { type: 'boolean' } }, 0);
  const fix = flag(args, 'fix');
  // Not to a log: the report's "content: N referenced blobs ... verified" line is the summary.
  const progress = stderrIsTerminal(io) ? progressPrinter(io, 'doctor', () => 'blobs checked') : undefined;
  const report = await client.doctor({ fix, onProgress: progress });
  if (flag(args, 'json')) {
    printJson(io, report);
    return report.healthy ? 0 : 1;
  }
  const lines = [`tracklab doctor ${report.root}${fix ? ' --fix' : ''}`];
  for (const line of report.ok) lines.push(`  ok       ${line}`);
  for (const f of report.findings) {
    lines.push(`  ${f.fixed ? 'FIXED  ' : 'PROBLEM'}  [${f.kind}] ${f.message}`);
    lines.push(`           ${f.fixed ? 'done' : f.fixable ? '--fix would' : 'to do'}: ${f.repair}`);
  }
  const open = report.findings.filter((f) => !f.fixed);
  const fixable = open.filter((f) => f.fixable).length;
  if (open.length === 0) lines.push(report.findings.length === 0 ? 'No problems found.' : `Fixed ${report.findings.length} problem(s).`);
  else lines.push(`${open.length} problem(s)${fixable > 0 && !fix ? `; ${fixable} can be repaired with "tracklab doctor --fix"` : ''}${open.length - fixable > 0 ? `; ${open.length - fixable} need the steps shown` : ''}.`);
  io.out(lines.join('\n'));
  return report.healthy ? 0 : 1;
}
