/**
 * `tracklab models ...`: the model registry from the shell. Listings print
 * aligned tables, or JSON with `--json`; `serve` runs MLflow's scoring
 * protocol for one model until interrupted.
 */
import { loadModel } from '../../models/load-model';
import type { RegisteredModel } from '../../registry-entities';
import { RegistryClient } from '../../registry/registry-client';
import { summarizeModel } from '../../registry/model-summary';
import { versionsTable } from '../../registry/registry-summary';
import { startScoringServer } from '../../serving/scoring-server';
import type { TrackingClient } from '../../tracking/client';
import { formatTime } from '../../views/format';
import { textTable } from '../../views/text-table';
import { quoteFilterValue } from '../../search';
import { UsageError, flag, int, parse, portOf, str } from '../args';
import { untilStopSignal } from '../stop-signal';
import { printJson, printTable, type Io } from '../output';

export const usage = 'tracklab models list [--filter F] [--max N] [--json] | show NAME [--json] | versions NAME [--json] | rename NAME NEW_NAME | '
  + 'alias set NAME ALIAS VERSION | alias delete NAME ALIAS | serve MODEL_URI [--port N] [--host 127.0.0.1] [--allowed-hosts NAME,...] [--timeout SECONDS]';

const SUBCOMMANDS = 'list, show NAME, versions NAME, rename NAME NEW_NAME, alias set NAME ALIAS VERSION, alias delete NAME ALIAS, serve MODEL_URI';

export async function models(client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  const registry = new RegistryClient({ tracking: client });
  try {
    switch (sub) {
      case 'list': return await list(registry, rest, io);
      case 'show': return await showModel(registry, rest, io);
      case 'versions': return await versions(registry, rest, io);
      case 'rename': return await rename(registry, rest, io);
      case 'alias': return await alias(registry, rest, io);
      case 'serve': return await serve(registry, rest, io);
      case undefined: throw new UsageError(`"tracklab models" needs a subcommand: ${SUBCOMMANDS}.`);
      default: throw new UsageError(`Unknown subcommand "models ${sub}"; use one of: ${SUBCOMMANDS}.`);
    }
  } finally {
    registry.close();
  }
}

function one(positionals: readonly string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`Give the ${what}.`);
  return positionals[0];
}

async function list(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { filter: { type: 'string' }, max: { type: 'string' }, json: { type: 'boolean' } }, 0);
  const page = await registry.searchRegisteredModels({ filter: str(args, 'filter'), maxResults: int(args, 'max', 100) });
  if (flag(args, 'json')) return printJson(io, page);
  printTable(io, {
    columns: [{ title: 'name' }, { title: 'latest', align: 'right' }, { title: 'aliases' }, { title: 'updated' }, { title: 'description' }],
    rows: page.registeredModels.map((m) => ({ cells: [m.name, m.latestVersion, aliasText(m), formatTime(m.lastUpdatedTime), m.description] })),
    note: page.nextPageToken ? 'more models match: use --max to see more' : undefined,
  });
}

async function showModel(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' } }, 1);
  const model = await registry.getRegisteredModel(one(args.positionals, 'model name'));
  const summary = await summarizeModel(registry, model);
  if (flag(args, 'json')) return printJson(io, { registeredModel: model, modelVersions: summary.versions });
  const lines = [
    `name         ${model.name}`,
    `description  ${model.description ?? ''}`,
    `latest       ${model.latestVersion === null ? '(no versions)' : `v${model.latestVersion}`}`,
    `aliases      ${aliasText(model)}`,
    `tags         ${Object.entries(model.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `created      ${formatTime(model.creationTime)}`,
    `updated      ${formatTime(model.lastUpdatedTime)}`,
  ];
  // eslint-disable-next-line no-control-regex
  io.out(lines.map((l) => l.replace(/[\u0000-\u001f\u007f]/g, ' ')).join('\n'));
  if (summary.versions.length > 0) io.out(`\n${textTable(versionsTable(summary), { maxCellWidth: 48 })}`);
}

async function versions(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' } }, 1);
  const name = one(args.positionals, 'model name');
  await registry.getRegisteredModel(name); // a clear error for an unknown model, rather than an empty list
  const { modelVersions } = await registry.searchModelVersions({ filter: `name = ${quoteFilterValue(name)}` });
  if (flag(args, 'json')) return printJson(io, { modelVersions });
  printTable(io, {
    caption: `${name}: ${modelVersions.length} version${modelVersions.length === 1 ? '' : 's'}`,
    columns: [{ title: 'version', align: 'right' }, { title: 'status' }, { title: 'aliases' }, { title: 'created' }, { title: 'run_id' }, { title: 'source' }],
    rows: modelVersions.map((v) => ({
      cells: [v.version, v.status, v.aliases.map((a) => `@${a}`).join(' '), formatTime(v.creationTime), v.runId, v.source],
    })),
  });
}

async function rename(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const [name, newName] = parse(argv, {}, 2).positionals;
  if (newName === undefined) throw new UsageError('Usage: tracklab models rename NAME NEW_NAME');
  await registry.renameRegisteredModel(name, newName);
  io.out(`renamed model "${name}" to "${newName}": models:/${newName}/… and models:/${newName}@… now resolve, models:/${name}/… no longer does`);
}

async function alias(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const [action, ...rest] = argv;
  const args = parse(rest, {}, action === 'set' ? 3 : 2);
  const [name, aliasName, version] = args.positionals;
  if (action === 'set') {
    if (version === undefined) throw new UsageError('Usage: tracklab models alias set NAME ALIAS VERSION');
    await registry.setRegisteredModelAlias(name, aliasName, version);
    io.out(`models:/${name}@${aliasName} → version ${version}`);
    return;
  }
  if (action === 'delete') {
    if (aliasName === undefined) throw new UsageError('Usage: tracklab models alias delete NAME ALIAS');
    await registry.deleteRegisteredModelAlias(name, aliasName);
    io.out(`deleted alias @${aliasName} of ${name}`);
    return;
  }
  throw new UsageError(`"tracklab models alias" takes set or delete, got ${action === undefined ? 'nothing' : `"${action}"`}.`);
}

async function serve(registry: RegistryClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, 'allowed-hosts': { type: 'string' }, timeout: { type: 'string' } }, 1);
  const uri = one(args.positionals, 'model URI (models:/NAME/VERSION, models:/NAME@ALIAS, runs:/RUN_ID/PATH or a folder)');
  const port = portOf(str(args, 'port'));
  const host = str(args, 'host') ?? '127.0.0.1';
  const allowedHosts = (str(args, 'allowed-hosts') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  const timeout = str(args, 'timeout');
  const requestTimeoutMs = timeout === undefined ? undefined : Number(timeout) * 1000;
  if (requestTimeoutMs !== undefined && !(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) {
    throw new UsageError(`--timeout takes a positive number of seconds for a request to arrive, got "${timeout}".`);
  }
  const model = await loadModel(uri, { resolver: registry.resolver });
  const { server, url } = await startScoringServer(model, { port, host, allowedHosts, requestTimeoutMs, warn: (m) => io.err(m) });
  io.out(`Serving ${uri} (${model.flavor}) at ${url}: POST /invocations, GET /ping, GET /health. Stop with Ctrl-C.`);
  await untilStopSignal();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  io.out('stopped');
}

function aliasText(model: RegisteredModel): string {
  return model.aliases.map((a) => `@${a.alias}→v${a.version}`).join(' ');
}
