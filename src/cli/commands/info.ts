/** `tracklab info`: which store and artifact folder the commands (and a notebook started here) use, and why. */
import * as fs from 'node:fs';
import { tracklabVersion } from '../../models/version';
import type { TrackingClient } from '../../tracking/client';
import { experimentSetting, resolveStore } from '../../tracking/settings';
import { flag, parse } from '../args';
import type { CommandContext } from '../command-context';
import { printJson, type Io } from '../output';

export const usage = 'tracklab info [--json]';

const EXPERIMENT_SOURCES = {
  configure: 'set by configure({ experiment })',
  TRACKLAB_EXPERIMENT: 'set by the TRACKLAB_EXPERIMENT environment variable',
  default: 'for runs that name no experiment; change it with configure({ experiment }) or TRACKLAB_EXPERIMENT',
} as const;

export async function info(client: TrackingClient, argv: readonly string[], io: Io, context: CommandContext): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' } }, 0);
  const resolved = resolveStore(context);
  const { uri } = resolved;
  // A store folder that does not exist yet is not created by looking at it; a server is asked.
  const exists = uri.scheme === 'sqlite' ? fs.existsSync(uri.file) : true;
  const experiments = exists ? (await client.searchExperiments({ maxResults: 1000 })).experiments.length : 0;
  // The store's own artifact folder is known once it is opened, and opening a store folder creates it: not before it exists.
  const artifacts = exists || resolved.artifactRoot !== undefined
    ? await client.artifactRoot().then((root) => ({ root, problem: null }), (err: Error) => ({ root: null, problem: err.message }))
    : { root: null, problem: 'inside the store folder, once the first run creates it' };
  const artifactWhy = resolved.artifactRoot !== undefined ? 'set by an option, configure({ artifactRoot }) or TRACKLAB_ARTIFACT_ROOT'
    : uri.scheme === 'http' ? 'the local cache of what goes to and comes from the server (artifacts live on the server)'
      : 'inside the store folder';
  const experiment = experimentSetting();
  const version = tracklabVersion();
  const store = uri.scheme === 'sqlite' ? uri.folder : uri.display;
  if (flag(args, 'json')) {
    printJson(io, {
      store, trackingUri: uri.display, backend: uri.scheme, source: resolved.source, reason: resolved.reason, exists, experiments,
      artifactRoot: artifacts.root, artifactRootProblem: artifacts.problem, defaultExperiment: experiment.name, experimentSource: experiment.source, version,
    });
    return;
  }
  io.out([
    `store       ${store}${uri.scheme === 'sqlite' ? '' : ` (${uri.scheme})`}`,
    `  why       ${resolved.reason}`,
    `  state     ${exists ? `${uri.scheme === 'sqlite' ? 'exists, ' : 'reachable, '}${experiments} active experiment(s)` : 'not created yet: the first run creates it'}`,
    `artifacts   ${artifacts.root ?? (exists ? 'none set' : '(not created yet)')}`,
    `  why       ${artifacts.problem ?? artifactWhy}`,
    `experiment  ${experiment.name} (${EXPERIMENT_SOURCES[experiment.source]})`,
    `tracklab    ${version}, node ${process.version}`,
  ].join('\n'));
}
