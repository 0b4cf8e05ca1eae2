/** `tracklab info`: which store the commands (and a notebook started here) use, and why. */
import * as fs from 'node:fs';
import { tracklabVersion } from '../../models/version';
import type { TrackingClient } from '../../tracking/client';
import { experimentSetting, locateStore } from '../../tracking/settings';
import { flag, parse } from '../args';
import { printJson, type Io } from '../output';

export const usage = 'tracklab info [--json]';

const EXPERIMENT_SOURCES = {
  configure: 'set by configure({ experiment })',
  TRACKLAB_EXPERIMENT: 'set by the TRACKLAB_EXPERIMENT environment variable',
  default: 'for runs that name no experiment; change it with configure({ experiment }) or TRACKLAB_EXPERIMENT',
} as const;

export async function info(client: TrackingClient, argv: readonly string[], io: Io, context: { readonly home?: string }): Promise<void> {
  const args = parse(argv, { json: { type: 'boolean' } }, 0);
  const location = locateStore(context.home);
  const exists = fs.existsSync(location.home);
  // Counting opens the store; a store that does not exist yet is not created by looking at it.
  const experiments = exists ? (await client.searchExperiments({ maxResults: 1000 })).experiments.length : 0;
  const experiment = experimentSetting();
  const version = tracklabVersion();
  if (flag(args, 'json')) {
    printJson(io, { store: location.home, source: location.source, reason: location.reason, exists, experiments, defaultExperiment: experiment.name, experimentSource: experiment.source, version });
    return;
  }
  io.out([
    `store       ${location.home}`,
    `  why       ${location.reason}`,
    `  state     ${exists ? `exists, ${experiments} active experiment(s)` : 'not created yet: the first run creates it'}`,
    `experiment  ${experiment.name} (${EXPERIMENT_SOURCES[experiment.source]})`,
    `tracklab    ${version}, node ${process.version}`,
  ].join('\n'));
}
