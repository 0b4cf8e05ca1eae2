#!/usr/bin/env node
/**
 * The `tracklab` command. Exit codes: 0 ok, 1 a tracklab error (printed as
 * `error [CODE]: message`, never a stack), 2 a usage error.
 */
import { isTracklabError } from '../errors';
import { TrackingClient, type TrackingClientOptions } from '../tracking/client';
import { UsageError } from './args';
import { processIo, type Io } from './output';
import * as experimentsCmd from './commands/experiments';
import * as runsCmd from './commands/runs';
import * as runShowCmd from './commands/run-show';
import * as metricsCmd from './commands/metrics';
import * as exportCmd from './commands/export';
import * as gcCmd from './commands/gc';
import * as backupCmd from './commands/backup';
import * as doctorCmd from './commands/doctor';
import * as modelsCmd from './commands/models';
import * as runCmd from './commands/run';
import * as uiCmd from './commands/ui';

type Command = (client: TrackingClient, argv: readonly string[], io: Io) => Promise<void | number>;

const commands: Record<string, { run: Command; usage: string; summary: string; client?: TrackingClientOptions }> = {
  experiments: { run: experimentsCmd.experiments, usage: experimentsCmd.usage, summary: 'list experiments' },
  runs: { run: runsCmd.runs, usage: runsCmd.usage, summary: 'search runs (MLflow filter grammar, plus OR and parentheses)' },
  run: { run: runCmd.run, usage: runCmd.usage, summary: 'run a notebook or project entry point as a tracked run; sweeps with -P k=a,b' },
  'run show': { run: runShowCmd.runShow, usage: runShowCmd.usage, summary: 'one run: params, metrics, tags, artifacts, notebook cells' },
  metrics: { run: metricsCmd.metrics, usage: metricsCmd.usage, summary: 'a run\'s metric history as CSV, JSON or Arrow' },
  export: { run: exportCmd.exportCommand, usage: exportCmd.usage, summary: 'metric histories of many runs to an Arrow IPC file' },
  gc: { run: gcCmd.gc, usage: gcCmd.usage, summary: 'purge deleted runs and unreferenced artifact blobs' },
  ui: { run: uiCmd.ui, usage: uiCmd.usage, summary: 'browse, search, compare and manage runs and models in a browser' },
  backup: { run: backupCmd.backup, usage: backupCmd.usage, summary: 'copy the live store (database and artifacts) into a new folder' },
  doctor: { run: doctorCmd.doctor, usage: doctorCmd.usage, summary: 'check the store (integrity, artifact sha256, orphans, stuck runs); repair with --fix', client: doctorCmd.clientOptions },
  models: { run: modelsCmd.models, usage: 'tracklab models list|show NAME|versions NAME|alias set|delete NAME ALIAS [VERSION]|serve URI [--port N]', summary: 'model registry and scoring server' },
};

function help(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    'tracklab — experiment tracking for TypeScript notebooks',
    '',
    'Usage:',
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Global options: --home DIR (store folder; default $TRACKLAB_HOME or ./.tracklab), --help',
  ].join('\n');
}

/** Splits off `--home DIR` (anywhere) and finds the command, including two-word ones. */
function route(argv: readonly string[]): { home?: string; name?: string; rest: string[] } {
  const args = [...argv];
  let home: string | undefined;
  const at = args.findIndex((a) => a === '--home' || a.startsWith('--home='));
  if (at >= 0) {
    const [flagArg] = args.splice(at, 1);
    home = flagArg.includes('=') ? flagArg.slice('--home='.length) : args.splice(at, 1)[0];
    if (!home) throw new UsageError('--home needs a folder.');
  }
  const two = args.slice(0, 2).join(' ');
  if (commands[two]) return { home, name: two, rest: args.slice(2) };
  if (args[0] && commands[args[0]]) return { home, name: args[0], rest: args.slice(1) };
  return { home, name: args[0], rest: args.slice(1) };
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let client: TrackingClient | undefined;
  try {
    const { home, name, rest } = route(argv);
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.out(help());
      return name ? 0 : 2;
    }
    const command = commands[name];
    if (!command) throw new UsageError(`Unknown command "${name}".\n\n${help()}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: ${command.usage}`);
      return 0;
    }
    client = new TrackingClient({ home, ...command.client });
    const code = await command.run(client, rest, io);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`usage error: ${err.message}`);
      return 2;
    }
    if (isTracklabError(err)) {
      io.err(`error [${err.code}]: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await client?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`tracklab: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  });
}
