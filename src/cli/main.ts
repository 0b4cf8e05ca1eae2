#!/usr/bin/env node
/**
 * The `tracklab` command. Exit codes: 0 ok, 1 a tracklab error (printed as
 * `error [CODE]: message`, never a stack), 2 a usage error.
 */
import { isTracklabError } from '../errors';
import { maskUri } from '../store/store-uri';
import { TrackingClient, type TrackingClientOptions } from '../tracking/client';
import { GLOBAL_OPTIONS, UsageError } from './args';
import type { CommandContext } from './command-context';
import { commandDetails } from './command-help';
import { NEEDS_EXISTING_STORE } from './existing-store';
import { commandHelp, fill, helpEntry } from './help';
import { processIo, terminalWidth, tolerateClosedPipes, type Io } from './output';
import * as experimentsCmd from './commands/experiments';
import * as experimentsManageCmd from './commands/experiments-manage';
import * as infoCmd from './commands/info';
import * as runsCmd from './commands/runs';
import * as runsDeleteCmd from './commands/runs-delete';
import * as runShowCmd from './commands/run-show';
import * as compareCmd from './commands/compare';
import * as metricsCmd from './commands/metrics';
import * as exportCmd from './commands/export';
import * as gcCmd from './commands/gc';
import * as backupCmd from './commands/backup';
import * as doctorCmd from './commands/doctor';
import * as modelsCmd from './commands/models';
import * as runCmd from './commands/run';
import * as migrateStoreCmd from './commands/migrate-store';
import * as uiCmd from './commands/ui';
import * as serverCmd from './commands/server';
import * as syncCmd from './commands/sync';

type Command = (client: TrackingClient, argv: readonly string[], io: Io, context: CommandContext) => Promise<void | number>;

const commands: Record<string, { run: Command; usage: string; summary: string; client?: TrackingClientOptions }> = {
  info: { run: infoCmd.info, usage: infoCmd.usage, summary: 'which store the commands use, and why' },
  experiments: { run: experimentsCmd.experiments, usage: experimentsCmd.usage, summary: 'list experiments' },
  'experiments create': { run: experimentsManageCmd.experimentsCreate, usage: experimentsManageCmd.createUsage, summary: 'create an experiment' },
  'experiments rename': { run: experimentsManageCmd.experimentsRename, usage: experimentsManageCmd.renameUsage, summary: 'rename an experiment' },
  'experiments delete': { run: experimentsManageCmd.experimentsDelete, usage: experimentsManageCmd.deleteUsage, summary: 'delete an experiment (hidden with its runs until restored)' },
  'experiments restore': { run: experimentsManageCmd.experimentsRestore, usage: experimentsManageCmd.restoreUsage, summary: 'restore a deleted experiment' },
  runs: { run: runsCmd.runs, usage: runsCmd.usage, summary: 'search runs (MLflow filter grammar, plus OR and parentheses)' },
  'runs delete': { run: runsDeleteCmd.runsDelete, usage: runsDeleteCmd.deleteUsage, summary: 'delete runs (hidden until restored; gc purges them)' },
  'runs restore': { run: runsDeleteCmd.runsRestore, usage: runsDeleteCmd.restoreUsage, summary: 'restore deleted runs' },
  run: { run: runCmd.run, usage: runCmd.usage, summary: 'run a notebook or project entry point as a tracked run; sweeps with -P k=a,b. --output: the executed notebook, or for a sweep a folder (<name>-<point>.ipynb each)' },
  'run show': { run: runShowCmd.runShow, usage: runShowCmd.usage, summary: 'one run, by its id or its name: params, metrics, tags, artifacts, notebook cells, parent and child runs' },
  compare: { run: compareCmd.compare, usage: compareCmd.usage, summary: 'runs side by side, each named by its id or its name (as tracklab runs shows them): params (differences marked *) and each metric\'s last/min/max (best run marked *)' },
  metrics: { run: metricsCmd.metrics, usage: metricsCmd.usage, summary: 'a run\'s metric history (the run by its id or its name) as CSV, JSON or Arrow' },
  export: { run: exportCmd.exportCommand, usage: exportCmd.usage, summary: 'metric histories of many runs to an Arrow IPC file' },
  gc: { run: gcCmd.gc, usage: gcCmd.usage, summary: 'purge deleted runs and unreferenced artifact blobs' },
  ui: { run: uiCmd.ui, usage: uiCmd.usage, summary: 'browse, search, compare and manage runs and models in a browser' },
  backup: { run: backupCmd.backup, usage: backupCmd.usage, summary: 'copy the live store (database and artifacts) into a new folder; run it where the store is, not through a tracking server' },
  doctor: { run: doctorCmd.doctor, usage: doctorCmd.usage, summary: 'check the store (integrity, artifact sha256, orphans, stuck runs); repair with --fix', client: doctorCmd.clientOptions },
  'migrate-store': { run: migrateStoreCmd.migrateStore, usage: migrateStoreCmd.usage, summary: 'copy a whole store (runs, metrics, artifacts, registry) into another, e.g. SQLite into PostgreSQL' },
  server: { run: serverCmd.server, usage: serverCmd.usage, summary: 'serve the store over MLflow\'s REST API (MLflow clients and tracklab notebooks log to it)' },
  sync: { run: syncCmd.sync, usage: syncCmd.usage, summary: 'send what did not reach the tracking server: outboxes of ended sessions, runs logged with TRACKLAB_MODE=offline' },
  models: { run: modelsCmd.models, usage: modelsCmd.usage, summary: 'model registry and scoring server' },
};

function help(width: number): string {
  return [
    ...fill('tracklab — experiment tracking for TypeScript notebooks'.split(' '), width, 0, 0),
    '',
    'Usage:',
    ...Object.values(commands).flatMap((c) => helpEntry(c, width)),
    '',
    ...fill(('Global options: --tracking-uri URI (where runs are: a store folder, sqlite:///abs/path/tracklab.db or postgresql://user@host:5432/db; '
      + 'by default TRACKLAB_TRACKING_URI, else TRACKLAB_HOME, else the nearest .tracklab above the working directory, else the project root\'s; `tracklab info` says which), '
      + '--home DIR (a store folder: the same as --tracking-uri DIR), --artifact-root DIR (where artifacts are; default TRACKLAB_ARTIFACT_ROOT, else inside a store folder), --help').split(' '), width, 0, 2),
  ].join('\n');
}

/** Splits off the global options (anywhere) and finds the command, including two-word ones. */
function route(argv: readonly string[]): { context: CommandContext; name?: string; rest: string[] } {
  const args = [...argv];
  const given: Partial<Record<keyof typeof GLOBAL_OPTIONS, string>> = {};
  for (const option of Object.keys(GLOBAL_OPTIONS) as (keyof typeof GLOBAL_OPTIONS)[]) {
    const at = args.findIndex((a) => a === option || a.startsWith(`${option}=`));
    if (at < 0) continue;
    const [flagArg] = args.splice(at, 1);
    const value = flagArg.includes('=') ? flagArg.slice(option.length + 1) : args.splice(at, 1)[0];
    if (!value || value.startsWith('--')) throw new UsageError(`${option} needs ${GLOBAL_OPTIONS[option]}.`);
    given[option] = value;
  }
  if (given['--home'] !== undefined && given['--tracking-uri'] !== undefined) {
    throw new UsageError('--home and --tracking-uri name the same thing (where runs are); give one.');
  }
  const context: CommandContext = { trackingUri: given['--tracking-uri'] ?? given['--home'], artifactRoot: given['--artifact-root'] };
  const two = args.slice(0, 2).join(' ');
  if (commands[two]) return { context, name: two, rest: args.slice(2) };
  if (args[0] && commands[args[0]]) return { context, name: args[0], rest: args.slice(1) };
  return { context, name: args[0], rest: args.slice(1) };
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let client: TrackingClient | undefined;
  const width = terminalWidth();
  try {
    const { context, name, rest } = route(argv);
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.out(help(width));
      return name ? 0 : 2;
    }
    const command = commands[name];
    if (!command) throw new UsageError(`Unknown command "${name}".\n\n${help(width)}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandHelp({ ...command, ...commandDetails[name] ?? { options: [], examples: [] } }, width));
      return 0;
    }
    client = new TrackingClient({ ...context, ...command.client, createStore: !NEEDS_EXISTING_STORE.has(name) });
    const code = await command.run(client, rest, io, context);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`usage error: ${err.message}`);
      return 2;
    }
    if (isTracklabError(err)) {
      io.err(`error [${err.code}]: ${maskUri(err.message)}`);
      return 1;
    }
    throw err;
  } finally {
    await client?.close();
  }
}

if (require.main === module) {
  tolerateClosedPipes();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    processIo.err(`tracklab: unexpected failure: ${maskUri(err instanceof Error ? err.stack ?? err.message : String(err))}`);
    process.exitCode = 70;
  });
}
