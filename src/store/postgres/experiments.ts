/** Experiment rows: create, find, rename, tag, delete and restore. Callers hold the transaction where one is needed. */
import { newExperimentId } from '../experiment-id';
import type { Experiment, LifecycleStage } from '../../entities';
import { TracklabError } from '../../errors';
import { emptyRecord, parseRecord } from '../../records';
import type { NewExperiment } from '../store';
import type { Query } from './connection';
import { type ExperimentRow, experimentFromRow } from './rows';

const COLUMNS = 'e.experiment_id, e.name, e.description, e.lifecycle_stage, e.creation_time, e.last_update_time';
const WITH_TAGS = `SELECT ${COLUMNS}, (SELECT json_object_agg(t.key, t.value) FROM experiment_tags t
  WHERE t.experiment_id = e.experiment_id)::text AS tags_json FROM experiments e`;

interface TaggedRow extends ExperimentRow {
  readonly tags_json: string | null;
}

function fromTagged(row: TaggedRow): Experiment {
  return experimentFromRow(row, row.tags_json === null ? emptyRecord<string>() : parseRecord<string>(row.tags_json));
}

async function byIdOrName(q: Query, idOrName: string, lock = false): Promise<ExperimentRow | undefined> {
  // An id wins over a name that happens to equal it, as in the SQLite store.
  const [row] = await q<ExperimentRow>(`SELECT ${COLUMNS} FROM experiments e WHERE e.experiment_id = $1 OR e.name = $1
    ORDER BY e.experiment_id = $1 DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`, [idOrName]);
  return row;
}

export function noExperiment(idOrName: string): TracklabError {
  return new TracklabError('RESOURCE_DOES_NOT_EXIST',
    `No experiment with id or name "${idOrName}". \`tracklab experiments\` lists them; logging a run to a new name creates it.`);
}

export async function requireExperimentRow(q: Query, idOrName: string, lock = false): Promise<ExperimentRow> {
  const row = await byIdOrName(q, idOrName, lock);
  if (!row) throw noExperiment(idOrName);
  return row;
}

export async function readExperiment(q: Query, idOrName: string): Promise<Experiment> {
  const [row] = await q<TaggedRow>({ name: 'read-experiment', text: `${WITH_TAGS} WHERE e.experiment_id = $1 OR e.name = $1
    ORDER BY e.experiment_id = $1 DESC LIMIT 1` }, [idOrName]);
  if (!row) throw noExperiment(idOrName);
  return fromTagged(row);
}

export async function findExperimentByName(q: Query, name: string): Promise<Experiment | undefined> {
  const [row] = await q<TaggedRow>({ name: 'experiment-by-name', text: `${WITH_TAGS} WHERE e.name = $1` }, [name]);
  return row && fromTagged(row);
}

function taken(row: ExperimentRow, name: string): TracklabError {
  const deleted = row.lifecycle_stage === 'deleted'
    ? ' It is deleted: restore it, or purge it, or pick another name.' : ' Pick another name, or log to the existing one.';
  return new TracklabError('RESOURCE_ALREADY_EXISTS', `An experiment named "${name}" already exists (id ${row.experiment_id}).${deleted}`);
}

async function writeTags(q: Query, id: string, tags: Readonly<Record<string, string>>): Promise<void> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return;
  await q(`INSERT INTO experiment_tags (experiment_id, key, value) SELECT $1::text, * FROM unnest($2::text[], $3::text[])
    ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`, [id, keys, keys.map((k) => tags[k])]);
}

export async function insertExperiment(q: Query, input: NewExperiment): Promise<Experiment> {
  const id = newExperimentId();
  const now = Date.now();
  const inserted = await q(`INSERT INTO experiments (experiment_id, name, description, lifecycle_stage, creation_time, last_update_time)
    VALUES ($1, $2, $3, 'active', $4, $4) ON CONFLICT (name) DO NOTHING RETURNING experiment_id`, [id, input.name, input.description ?? null, now]);
  if (inserted.length === 0) throw taken(await requireExperimentRow(q, input.name), input.name);
  await writeTags(q, id, input.tags ?? {});
  return readExperiment(q, id);
}

/** Safe when processes race: the insert is ignored if the name arrived first elsewhere. */
export async function ensureExperimentRow(q: Query, name: string): Promise<Experiment> {
  const now = Date.now();
  await q(`INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time)
    VALUES ($1, $2, 'active', $3, $3) ON CONFLICT (name) DO NOTHING`, [newExperimentId(), name, now]);
  return (await findExperimentByName(q, name)) as Experiment;
}

export async function renameOrDescribe(q: Query, id: string, update: { name?: string; description?: string | null }): Promise<Experiment> {
  const row = await requireExperimentRow(q, id, true);
  if (update.name !== undefined && update.name !== row.name) {
    const [other] = await q<ExperimentRow>(`SELECT ${COLUMNS} FROM experiments e WHERE e.name = $1`, [update.name]);
    if (other) throw taken(other, update.name);
  }
  await q('UPDATE experiments SET name = $1, description = $2, last_update_time = $3 WHERE experiment_id = $4', [
    update.name ?? row.name, update.description === undefined ? row.description : update.description, Date.now(), row.experiment_id,
  ]);
  return readExperiment(q, row.experiment_id);
}

export async function tagExperiment(q: Query, id: string, tags: Readonly<Record<string, string>>): Promise<void> {
  const row = await requireExperimentRow(q, id);
  await writeTags(q, row.experiment_id, tags);
  await q('UPDATE experiments SET last_update_time = $1 WHERE experiment_id = $2', [Date.now(), row.experiment_id]);
}

/**
 * Deleting an experiment also deletes its active runs, stamped with the same
 * time; restoring brings back exactly those runs (as MLflow does), not runs
 * that were deleted on their own before.
 */
export async function setStage(q: Query, id: string, stage: LifecycleStage): Promise<void> {
  const row = await requireExperimentRow(q, id, true);
  if (row.lifecycle_stage === stage) return;
  // Strictly after any run's own deletion, so a restore cannot mistake those runs for ours.
  const [latest] = await q<{ t: number | null }>('SELECT MAX(deleted_time) AS t FROM runs WHERE experiment_id = $1', [row.experiment_id]);
  const now = Math.max(Date.now(), (latest.t ?? 0) + 1);
  if (stage === 'deleted') {
    await q(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = $1 WHERE experiment_id = $2 AND lifecycle_stage = 'active'`,
      [now, row.experiment_id]);
  } else {
    await q(`UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = $1 AND lifecycle_stage = 'deleted'
      AND deleted_time = (SELECT deleted_time FROM experiments WHERE experiment_id = $1)`, [row.experiment_id]);
  }
  await q('UPDATE experiments SET lifecycle_stage = $1, deleted_time = $2, last_update_time = $3 WHERE experiment_id = $4',
    [stage, stage === 'deleted' ? now : null, now, row.experiment_id]);
}

/** Experiments for `ids`, in that order, in one statement. */
export async function hydrateExperiments(q: Query, ids: readonly string[]): Promise<Experiment[]> {
  if (ids.length === 0) return [];
  const rows = await q<TaggedRow>(`${WITH_TAGS} JOIN unnest($1::text[]) WITH ORDINALITY AS j(id, ord) ON e.experiment_id = j.id ORDER BY j.ord`, [ids]);
  return rows.map(fromTagged);
}
