/**
 * Writing runs: creation (one statement, even for a run that already ended
 * with its last points), updates, params and tags, and the lifecycle.
 */
import type { MetricColumns, RunInfo } from '../../entities';
import { isTerminalStatus } from '../../entities';
import { TracklabError } from '../../errors';
import type { LogBatch, NewRun, RunUpdate } from '../store';
import type { Query } from './connection';
import { noExperiment } from './experiments';
import { appendBlocks, BLOCK_COLUMNS, blockRows, encodeBlocks, pointsToBlocks, SUMMARY_COLUMNS, summaryRows } from './metric-blocks';
import { assertLoggable, noRun, RUN_COLUMNS, type RunRow, runInfoFromRow } from './rows';

/**
 * The run row, its params and tags, and (for a run that already ended) its
 * blocks and summaries, as one statement: one round trip and one commit.
 * Data-modifying CTEs see one snapshot, and every child insert hangs off `r`,
 * so a refused run (duplicate id, missing or deleted experiment) writes nothing.
 * The manifest entries it came with (the git diff a loop's runs share) go in the same statement.
 */
const CREATE_RUN = {
  name: 'create-run',
  text: `WITH e AS (SELECT experiment_id, lifecycle_stage, name FROM experiments WHERE experiment_id = $3 OR name = $3
      ORDER BY experiment_id = $3 DESC LIMIT 1),
    r AS (INSERT INTO runs (run_id, run_name, experiment_id, parent_run_id, status, status_message, start_time, end_time, user_id,
        owner_pid, owner_host, owner_start, heartbeat_time)
      SELECT $1::text, $2::text, e.experiment_id, $4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::text,
        $10::integer, $11::text, $12::text, $13::bigint FROM e WHERE e.lifecycle_stage = 'active'
      ON CONFLICT (run_id) DO NOTHING RETURNING run_id, experiment_id),
    p AS (INSERT INTO params (run_id, key, value) SELECT r.run_id, u.k, u.v FROM r, unnest($14::text[], $15::text[]) AS u(k, v)),
    t AS (INSERT INTO tags (run_id, key, value) SELECT r.run_id, u.k, u.v FROM r, unnest($16::text[], $17::text[]) AS u(k, v)),
    b AS (INSERT INTO metric_blocks (${BLOCK_COLUMNS}) ${blockRows(18)} WHERE EXISTS (SELECT 1 FROM r) ORDER BY u.ord),
    s AS (INSERT INTO metric_summaries (${SUMMARY_COLUMNS}) ${summaryRows(26)} WHERE EXISTS (SELECT 1 FROM r)),
    a AS (INSERT INTO artifacts (run_id, path, sha256, size, created_time)
      SELECT r.run_id, u.path, u.sha256, u.size, $37::bigint FROM r, unnest($34::text[], $35::text[], $36::bigint[]) AS u(path, sha256, size))
  SELECT (SELECT experiment_id FROM r) AS created, e.experiment_id, e.lifecycle_stage, e.name FROM (SELECT 1) AS one LEFT JOIN e ON true`,
};

/**
 * CREATE_RUN for several runs: each input row finds its experiment, the runs
 * created are `r`, and every child row joins `r`, so a refused run writes
 * nothing while the others go in. One answer row per input, in order.
 */
const CREATE_RUNS = {
  name: 'create-runs',
  text: `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
        $9::text[], $10::integer[], $11::text[], $12::text[], $13::bigint[])
      WITH ORDINALITY AS u(run_id, run_name, ref, parent_run_id, status, status_message, start_time, end_time, user_id,
        owner_pid, owner_host, owner_start, heartbeat_time, ord)),
    e AS (SELECT input.ord, x.experiment_id, x.lifecycle_stage, x.name FROM input LEFT JOIN LATERAL (
        SELECT experiment_id, lifecycle_stage, name FROM experiments WHERE experiment_id = input.ref OR name = input.ref
        ORDER BY experiment_id = input.ref DESC LIMIT 1) x ON true),
    r AS (INSERT INTO runs (run_id, run_name, experiment_id, parent_run_id, status, status_message, start_time, end_time, user_id,
        owner_pid, owner_host, owner_start, heartbeat_time)
      SELECT input.run_id, input.run_name, e.experiment_id, input.parent_run_id, input.status, input.status_message, input.start_time,
        input.end_time, input.user_id, input.owner_pid, input.owner_host, input.owner_start, input.heartbeat_time
      FROM input JOIN e ON e.ord = input.ord WHERE e.lifecycle_stage = 'active' ORDER BY input.ord
      ON CONFLICT (run_id) DO NOTHING RETURNING run_id, experiment_id),
    p AS (INSERT INTO params (run_id, key, value)
      SELECT r.run_id, u.k, u.v FROM unnest($14::text[], $15::text[], $16::text[]) AS u(run_id, k, v) JOIN r ON r.run_id = u.run_id),
    t AS (INSERT INTO tags (run_id, key, value)
      SELECT r.run_id, u.k, u.v FROM unnest($17::text[], $18::text[], $19::text[]) AS u(run_id, k, v) JOIN r ON r.run_id = u.run_id),
    b AS (INSERT INTO metric_blocks (${BLOCK_COLUMNS}) ${blockRows(20)} WHERE u.run_id IN (SELECT run_id FROM r) ORDER BY u.ord),
    s AS (INSERT INTO metric_summaries (${SUMMARY_COLUMNS})
      SELECT * FROM (${summaryRows(28)}) AS u(run_id, key, last_value, last_step, last_timestamp, min_value, max_value, count)
      WHERE u.run_id IN (SELECT run_id FROM r)),
    a AS (INSERT INTO artifacts (run_id, path, sha256, size, created_time)
      SELECT r.run_id, u.path, u.sha256, u.size, $40::bigint
      FROM unnest($36::text[], $37::text[], $38::text[], $39::bigint[]) AS u(run_id, path, sha256, size) JOIN r ON r.run_id = u.run_id)
  SELECT input.ord, r.experiment_id AS created, e.experiment_id, e.lifecycle_stage, e.name
  FROM input JOIN e ON e.ord = input.ord LEFT JOIN r ON r.run_id = input.run_id ORDER BY input.ord`,
};

export async function createRun(q: Query, input: NewRun): Promise<RunInfo> {
  const encoded = encodeBlocks(finalPoints(input));
  const params = entries(input.params);
  const tags = entries(input.tags);
  const artifacts = lastEntryPerPath(input);
  const info = newRunInfo(input);
  const { owner } = input;
  const [row] = await q<OutcomeRow>(CREATE_RUN, [
    info.runId, info.runName, input.experimentId, info.parentRunId, info.status, info.statusMessage, info.startTime, info.endTime, info.user,
    owner?.pid ?? null, owner?.host ?? null, owner?.processStart ?? null, owner ? input.startTime : null,
    params[0], params[1], tags[0], tags[1], ...encoded.blocks, ...encoded.summaries,
    artifacts.map((e) => e.path), artifacts.map((e) => e.sha256), artifacts.map((e) => e.size), Date.now(),
  ]);
  return outcome(info, input.experimentId, row);
}

/**
 * Several runs as CREATE_RUN would create each, in one statement: one round
 * trip and one commit for all (a sweep's runs ended faster than the write
 * thread writes them). A run the database refuses (its id taken, its
 * experiment missing or deleted) gets its own error in its place and writes
 * nothing; the others are created. Ids must differ from each other.
 */
export async function createRuns(q: Query, inputs: readonly NewRun[]): Promise<(RunInfo | TracklabError)[]> {
  if (new Set(inputs.map((r) => r.runId)).size !== inputs.length) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', 'Runs created together must have different ids.');
  }
  const infos = inputs.map(newRunInfo);
  const column = <T>(of: (input: NewRun, info: RunInfo) => T) => inputs.map((input, i) => of(input, infos[i]));
  /** Every run's params (or tags) as three columns: run id, key, value. */
  const pairs = (of: (input: NewRun) => Readonly<Record<string, string>> | undefined) => {
    const runIds: string[] = [];
    const keys: string[] = [];
    const values: string[] = [];
    for (const input of inputs) {
      const [own, ownValues] = entries(of(input));
      keys.push(...own);
      values.push(...ownValues);
      for (let k = 0; k < own.length; k++) runIds.push(input.runId);
    }
    return [runIds, keys, values];
  };
  const encoded = encodeBlocks(inputs.flatMap(finalPoints));
  const artifacts = inputs.flatMap((input) => lastEntryPerPath(input).map((e) => ({ runId: input.runId, ...e })));
  const rows = await q<OutcomeRow & { ord: string }>(CREATE_RUNS, [
    column((_, r) => r.runId), column((_, r) => r.runName), column((input) => input.experimentId), column((_, r) => r.parentRunId),
    column((_, r) => r.status), column((_, r) => r.statusMessage), column((_, r) => r.startTime), column((_, r) => r.endTime),
    column((_, r) => r.user), column((input) => input.owner?.pid ?? null), column((input) => input.owner?.host ?? null),
    column((input) => input.owner?.processStart ?? null), column((input) => (input.owner ? input.startTime : null)),
    ...pairs((input) => input.params), ...pairs((input) => input.tags), ...encoded.blocks, ...encoded.summaries,
    artifacts.map((e) => e.runId), artifacts.map((e) => e.path), artifacts.map((e) => e.sha256), artifacts.map((e) => e.size), Date.now(),
  ]);
  return rows.map((row, i) => {
    try {
      return outcome(infos[i], inputs[i].experimentId, row);
    } catch (err) {
      return err as TracklabError;
    }
  });
}

/** What CREATE_RUN and CREATE_RUNS answer for one run. */
interface OutcomeRow { created: string | null; experiment_id: string | null; lifecycle_stage: string | null; name: string | null }

/** The run as created, or why it was not (the statement wrote nothing of it then). */
function outcome(info: RunInfo, experimentRef: string, row: OutcomeRow): RunInfo {
  if (row.created !== null) return { ...info, experimentId: row.created };
  if (row.experiment_id === null) throw noExperiment(experimentRef);
  if (row.lifecycle_stage !== 'active') {
    throw new TracklabError('INVALID_STATE',
      `Experiment "${row.name}" (${row.experiment_id}) is deleted, so it cannot take new runs. Restore it, or use another experiment.`);
  }
  throw new TracklabError('RESOURCE_ALREADY_EXISTS',
    `A run with id "${info.runId}" already exists. Run ids must be unique; let tracklab generate one.`);
}

function newRunInfo(input: NewRun): RunInfo {
  const { end } = input;
  return {
    runId: input.runId, runName: input.runName, experimentId: input.experimentId, parentRunId: input.parentRunId ?? null,
    status: end?.status ?? 'RUNNING', statusMessage: end?.statusMessage ?? null, startTime: input.startTime,
    endTime: end?.endTime ?? null, user: input.user ?? null, lifecycleStage: 'active',
  };
}

/** The points a run that already ended comes with: each must be its own. */
function finalPoints(input: NewRun): readonly MetricColumns[] {
  const points = input.end?.metrics ?? [];
  const stray = points.find((b) => b.runId !== input.runId);
  if (stray !== undefined) {
    throw new TracklabError('INVALID_PARAMETER_VALUE', `The final points of run ${input.runId} name another run (${stray.runId}).`);
  }
  return points;
}

/** One row per path, the last entry winning, as putArtifacts records them. */
function lastEntryPerPath(input: NewRun): NonNullable<NewRun['artifacts']> {
  return [...new Map((input.artifacts ?? []).map((e) => [e.path, e])).values()];
}

function entries(record: Readonly<Record<string, string>> | undefined): [string[], string[]] {
  const keys = record === undefined ? [] : Object.keys(record);
  return [keys, keys.map((k) => (record as Record<string, string>)[k])];
}

/** The run row, locked against other writers of the row until the transaction ends. */
async function lockRun(q: Query, runId: string): Promise<RunRow> {
  const [row] = await q<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = $1 FOR NO KEY UPDATE`, [runId]);
  if (!row) throw noRun(runId);
  return row;
}

/** Inside a write transaction. Buffered points land first, then the status change. */
export async function updateRun(q: Query, runId: string, update: RunUpdate): Promise<RunInfo> {
  const row = await lockRun(q, runId);
  if (update.metrics?.length) {
    assertLoggable(row);
    await appendBlocks(q, update.metrics);
  }
  let { status, end_time: endTime, status_message: message, run_name: name } = row;
  if (update.status !== undefined && isTerminalStatus(row.status)) {
    throw new TracklabError('INVALID_STATE',
      `Run ${row.run_name} (${runId}) already ended as ${row.status}, so it cannot become ${update.status}: a run ends once. `
      + 'Start a new run to record another outcome.');
  }
  if (update.status !== undefined) {
    status = update.status;
    if (isTerminalStatus(status) && update.endTime === undefined) endTime = Date.now();
  }
  if (update.endTime !== undefined) endTime = update.endTime;
  if (update.statusMessage !== undefined) message = update.statusMessage;
  if (update.runName !== undefined) name = update.runName;
  await q('UPDATE runs SET status = $1, end_time = $2, status_message = $3, run_name = $4 WHERE run_id = $5',
    [status, endTime, message, name, runId]);
  return runInfoFromRow({ ...row, status, end_time: endTime, status_message: message, run_name: name });
}

/**
 * Inside a write transaction. The run row is locked first, so two processes
 * logging the same param cannot both pass the write-once check; all params
 * are checked before any is written, so a conflict leaves the run untouched.
 */
export async function logBatch(q: Query, runId: string, batch: LogBatch): Promise<void> {
  const row = assertLoggable(await lockRun(q, runId));
  const [pk, pv] = entries(batch.params);
  if (pk.length > 0) {
    const [clash] = await q<{ key: string; wanted: string; existing: string }>(`SELECT u.k AS key, u.v AS wanted, p.value AS existing
      FROM unnest($2::text[], $3::text[]) AS u(k, v) JOIN params p ON p.run_id = $1 AND p.key = u.k WHERE p.value <> u.v LIMIT 1`, [runId, pk, pv]);
    if (clash) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `Param "${clash.key}" is already "${clash.existing}" on run ${row.run_name} (${runId}); params are write-once. `
        + `Log a new run to try "${clash.wanted}".`);
    }
  }
  const [tk, tv] = entries(batch.tags);
  const deletes = batch.deleteTags ?? [];
  // Deletes go first, as their own statement: one statement may not both delete and upsert a row.
  if (deletes.length > 0) await q('DELETE FROM tags WHERE run_id = $1 AND key = ANY($2::text[])', [runId, deletes]);
  if (pk.length > 0 || tk.length > 0) {
    await q({
      name: 'log-params-tags',
      text: `WITH p AS (INSERT INTO params (run_id, key, value) SELECT $1::text, * FROM unnest($2::text[], $3::text[]) ON CONFLICT (run_id, key) DO NOTHING)
        INSERT INTO tags (run_id, key, value) SELECT $1::text, * FROM unnest($4::text[], $5::text[])
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
    }, [runId, pk, pv, tk, tv]);
  }
  if (batch.metrics?.length) await appendBlocks(q, pointsToBlocks(runId, batch.metrics));
}

export async function setRunLifecycle(q: Query, runId: string, stage: 'active' | 'deleted'): Promise<void> {
  const updated = await q('UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_id = $3 RETURNING run_id',
    [stage, stage === 'deleted' ? Date.now() : null, runId]);
  if (updated.length === 0) throw noRun(runId);
}
