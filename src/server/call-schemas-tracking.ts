/**
 * The arguments of every tracking store method callable as
 * `/api/tracklab/v1/store/<method>`, in order (see store.ts for what each
 * means). call-schema.ts says how they are checked.
 */
import { TracklabError } from '../errors';
import { Limits } from '../validation';
import { arg, arr, bool, finite, float64s, int, num, nullable, obj, oneOf, opt, optArg, rec, refine, str, type Argument } from './call-schema';
import { artifactEntries, filterNode, id, name, orderBy, stage, tags, time } from './call-schemas-common';

const metricColumns = refine(obj({ runId: id, key: str(Limits.keyLength), steps: float64s, timestamps: float64s, values: float64s }),
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
    metrics: opt(arr(obj({ key: str(Limits.keyLength), value: num, step: finite, timestamp: finite }), Limits.metricsPerBatch)),
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
