/**
 * The arguments of every tracking store method callable as
 * `/api/tracklab/v1/store/<method>`, in order (see store.ts for what each
 * means). call-schema.ts says how they are checked.
 */
import { TracklabError } from '../errors';
import { Limits, validateKey } from '../validation';
import { arg, arr, bool, finite, float64s, int, num, nullable, obj, oneOf, opt, optArg, rec, refine, str, type Argument, type Schema } from './call-schema';
import { serverMsg } from './messages';
import { artifactEntries, filterNode, id, name, orderBy, stage, tags, time } from './call-schemas-common';

/** A metric name as logMetric takes it: the stores keep any key, so names are checked where they come in. */
const metricKey: Schema = (v, at) => {
  str(Limits.keyLength)(v, at);
  validateKey('Metric', v);
};

const metricColumns = refine(obj({ runId: id, key: metricKey, steps: float64s, timestamps: float64s, values: float64s }),
  (b: { steps: Float64Array; timestamps: Float64Array; values: Float64Array }, at) => {
    if (b.steps.length !== b.values.length || b.timestamps.length !== b.values.length) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', `'${at}': steps, timestamps and values must have one entry per point (got ${b.steps.length}, ${b.timestamps.length}, ${b.values.length}).`);
    }
  });
const metricBlocks = arr(metricColumns, 100_000);

const owner = obj({ pid: int(0), host: str(1000), processStart: str(1000) });

const runStatus = oneOf('RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'CRASHED');

const newRunFields = {
  runId: id,
  runName: str(Limits.runNameLength),
  parentRunId: opt(id),
  startTime: time,
  user: opt(str(1000)),
  tags: opt(tags()),
  params: opt(rec(str(Limits.paramValueLength), Limits.entitiesPerBatch)),
  owner: opt(owner),
  end: opt(obj({ status: oneOf('FINISHED', 'FAILED', 'KILLED', 'CRASHED'), statusMessage: nullable(str(Limits.tagValueLength)), endTime: time, metrics: metricBlocks })),
};

const lifecycle = oneOf('active', 'deleted', 'all');

const runSearch = obj({
  experimentIds: arr(id, 1000), filter: opt(filterNode), orderBy, maxResults: int(), offset: int(), lifecycle,
});

const datasetColumn = obj({ name: str(Limits.keyLength * 4), type: str(200) });
const columnProfile = obj({
  name: str(Limits.keyLength * 4), type: str(200), nulls: int(0),
  min: opt((v, at) => (typeof v === 'number' ? num(v, at) : str(1000)(v, at))),
  max: opt((v, at) => (typeof v === 'number' ? num(v, at) : str(1000)(v, at))),
  distinct: opt(int(0)),
});
const dataset = obj({
  name: str(500), digest: str(100), sourceType: oneOf('arrow', 'rows', 'file', 'mlflow'),
  source: str(Limits.datasetSourceLength),
  schema: nullable(arr(datasetColumn, 100_000)),
  profile: nullable(arr(columnProfile, 100_000)),
  numRows: nullable(int(0)),
});
const datasetInput = obj({ dataset, context: nullable(str(Limits.datasetContextLength)) });

const cell = obj({
  runId: id, seq: int(0), executionCount: nullable(int(0)), source: str(10_000_000), startTime: time, endTime: nullable(time),
  status: oneOf('ok', 'error', 'aborted', 'running'), error: nullable(str(1_000_000)),
});

/** Method → its arguments. A method that is not here is not callable. */
export const TRACKING_CALLS: ReadonlyMap<string, readonly Argument[]> = new Map<string, readonly Argument[]>([
  ['createExperiment', [arg('input', obj({ name, description: opt(str(Limits.experimentDescriptionLength)), tags: opt(tags(Limits.experimentTagValueLength)) }))]],
  ['getExperiment', [arg('idOrName', name)]],
  ['ensureExperiment', [arg('name', name)]],
  ['searchExperiments', [arg('query', obj({ filter: opt(filterNode), orderBy, maxResults: int(), offset: int(), lifecycle }))]],
  ['updateExperiment', [arg('experimentId', id), arg('update', obj({ name: opt(name), description: opt(nullable(str(Limits.experimentDescriptionLength))) }))]],
  ['setExperimentTags', [arg('experimentId', id), arg('tags', tags(Limits.experimentTagValueLength))]],
  ['setExperimentLifecycle', [arg('experimentId', id), arg('stage', stage)]],
  ['createRun', [arg('input', obj({ ...newRunFields, experimentId: id }))]],
  ['createRunIn', [arg('experimentRef', name), arg('run', obj(newRunFields))]],
  ['getRun', [arg('runId', id)]],
  ['updateRun', [arg('runId', id), arg('update', obj({
    status: opt(runStatus), statusMessage: opt(nullable(str(Limits.tagValueLength))), endTime: opt(nullable(time)),
    runName: opt(str(Limits.runNameLength)), metrics: opt(metricBlocks),
  }))]],
  ['setRunLifecycle', [arg('runId', id), arg('stage', stage)]],
  ['purgeDeletedRuns', [optArg('olderThan', time)]],
  ['logBatch', [arg('runId', id), arg('batch', obj({
    params: opt(rec(str(Limits.paramValueLength), Limits.entitiesPerBatch)), tags: opt(tags()), deleteTags: opt(arr(str(Limits.keyLength), Limits.entitiesPerBatch)),
    metrics: opt(arr(obj({ key: metricKey, value: num, step: finite, timestamp: finite }), Limits.metricsPerBatch)),
    batchId: opt(str(100)),
  }))]],
  ['searchRuns', [arg('query', runSearch)]],
  ['countRuns', [arg('query', obj({ experimentIds: arr(id, 1000), filter: opt(filterNode), lifecycle }))]],
  ['heartbeat', [arg('runIds', arr(id, 10_000)), arg('now', time)]],
  ['reapOwners', []],
  ['reapCrashedRuns', [arg('staleAfterMs', finite), optArg('options', obj({ dryRun: opt(bool) })), optArg('judged', arr(owner, 10_000)), optArg('alive', arr(owner, 10_000))]],
  ['putArtifacts', [arg('runId', id), arg('entries', artifactEntries)]],
  ['listArtifacts', [arg('runId', id), optArg('prefix', str(Limits.artifactPathLength))]],
  ['referencedBlobs', []],
  ['recordCell', [arg('cell', cell)]],
  ['listCells', [arg('runId', id)]],
  ['logInputs', [arg('runId', id), arg('inputs', arr(datasetInput, Limits.datasetsPerBatch))]],
  ['listInputs', [arg('runIds', arr(id, 10_000))]],
]);

/**
 * The points a run's own call carries (createRun's `end.metrics`, updateRun's
 * `metrics`) belong to that run: each block names its run, and the store
 * writes it there, so a block of another run would reach a run the caller
 * was not authorized for. Checked after the arguments' shapes.
 */
export function requireOwnBlocks(method: string, args: readonly unknown[]): void {
  let runId: unknown;
  let blocks: readonly { runId: string }[] | undefined;
  if (method === 'updateRun') {
    runId = args[0];
    blocks = (args[1] as { metrics?: readonly { runId: string }[] }).metrics;
  } else if (method === 'createRun' || method === 'createRunIn') {
    const run = args[method === 'createRun' ? 0 : 1] as { runId: string; end?: { metrics: readonly { runId: string }[] } };
    runId = run.runId;
    blocks = run.end?.metrics;
  }
  const stray = blocks?.find((b) => b.runId !== runId);
  if (stray !== undefined) throw new TracklabError('INVALID_PARAMETER_VALUE', serverMsg.foreignBlock(method, String(runId), stray.runId));
}
