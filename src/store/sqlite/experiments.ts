/** Experiment rows: create, find, rename, tag, delete and restore. Callers hold the transaction. */
import { newExperimentId } from '../experiment-id';
import type { Experiment, LifecycleStage } from '../../entities';
import { TracklabError } from '../../errors';
import type { NewExperiment } from '../store';
import { recordFrom } from '../../records';
import type { Connection } from './connection';
import { type ExperimentRow, experimentFromRow } from './rows';
import { idList } from './run-lookup';

const COLUMNS = 'e.experiment_id, e.name, e.description, e.lifecycle_stage, e.creation_time, e.last_update_time';

function byName(conn: Connection, name: string): ExperimentRow | undefined {
  return conn.stmt(`SELECT ${COLUMNS} FROM experiments e WHERE e.name = ?`).get(name) as ExperimentRow | undefined;
}

function byId(conn: Connection, id: string): ExperimentRow | undefined {
  return conn.stmt(`SELECT ${COLUMNS} FROM experiments e WHERE e.experiment_id = ?`).get(id) as ExperimentRow | undefined;
}

function tagsOf(conn: Connection, id: string): Record<string, string> {
  const rows = conn.stmt('SELECT key, value FROM experiment_tags WHERE experiment_id = ?').all(id) as { key: string; value: string }[];
  return recordFrom(rows.map((r) => [r.key, r.value]));
}

export function requireExperimentRow(conn: Connection, idOrName: string): ExperimentRow {
  const row = byId(conn, idOrName) ?? byName(conn, idOrName);
  if (!row) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
      `No experiment with id or name "${idOrName}". \`tracklab experiments\` lists them; logging a run to a new name creates it.`);
  }
  return row;
}

export function readExperiment(conn: Connection, idOrName: string): Experiment {
  const row = requireExperimentRow(conn, idOrName);
  return experimentFromRow(row, tagsOf(conn, row.experiment_id));
}

function refuseTakenName(conn: Connection, name: string): void {
  const taken = byName(conn, name);
  if (taken) {
    const deleted = taken.lifecycle_stage === 'deleted'
      ? ' It is deleted: restore it, or purge it, or pick another name.' : ' Pick another name, or log to the existing one.';
    throw new TracklabError('RESOURCE_ALREADY_EXISTS', `An experiment named "${name}" already exists (id ${taken.experiment_id}).${deleted}`);
  }
}

function writeTags(conn: Connection, id: string, tags: Readonly<Record<string, string>>): void {
  const upsert = conn.stmt(`INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
    ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`);
  for (const [key, value] of Object.entries(tags)) upsert.run(id, key, value);
}

export function insertExperiment(conn: Connection, input: NewExperiment): Experiment {
  refuseTakenName(conn, input.name);
  const id = newExperimentId();
  const now = Date.now();
  conn.stmt(`INSERT INTO experiments (experiment_id, name, description, lifecycle_stage, creation_time, last_update_time)
    VALUES (?, ?, ?, 'active', ?, ?)`).run(id, input.name, input.description ?? null, now, now);
  writeTags(conn, id, input.tags ?? {});
  return readExperiment(conn, id);
}

export function findExperimentByName(conn: Connection, name: string): Experiment | undefined {
  const row = byName(conn, name);
  return row && experimentFromRow(row, tagsOf(conn, row.experiment_id));
}

/** Safe when processes race: the insert is ignored if the name arrived first elsewhere. */
export function ensureExperimentRow(conn: Connection, name: string): Experiment {
  const now = Date.now();
  conn.stmt(`INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time)
    VALUES (?, ?, 'active', ?, ?) ON CONFLICT (name) DO NOTHING`).run(newExperimentId(), name, now, now);
  const row = byName(conn, name) as ExperimentRow;
  return experimentFromRow(row, tagsOf(conn, row.experiment_id));
}

export function renameOrDescribe(conn: Connection, id: string, update: { name?: string; description?: string | null }): Experiment {
  const row = requireExperimentRow(conn, id);
  if (update.name !== undefined && update.name !== row.name) refuseTakenName(conn, update.name);
  conn.stmt('UPDATE experiments SET name = ?, description = ?, last_update_time = ? WHERE experiment_id = ?').run(
    update.name ?? row.name,
    update.description === undefined ? row.description : update.description,
    Date.now(),
    row.experiment_id,
  );
  return readExperiment(conn, row.experiment_id);
}

export function tagExperiment(conn: Connection, id: string, tags: Readonly<Record<string, string>>): void {
  const row = requireExperimentRow(conn, id);
  writeTags(conn, row.experiment_id, tags);
  conn.stmt('UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?').run(Date.now(), row.experiment_id);
}

/**
 * Deleting an experiment also deletes its active runs, stamped with the same
 * time; restoring brings back exactly those runs (as MLflow does), not runs
 * that were deleted on their own before.
 */
export function setStage(conn: Connection, id: string, stage: LifecycleStage): void {
  const row = requireExperimentRow(conn, id);
  if (row.lifecycle_stage === stage) return;
  // Strictly after any run's own deletion, so a restore cannot mistake those runs for ours.
  const latest = conn.stmt('SELECT MAX(deleted_time) AS t FROM runs WHERE experiment_id = ?').get(row.experiment_id) as { t: number | null };
  const now = Math.max(Date.now(), (latest.t ?? 0) + 1);
  if (stage === 'deleted') {
    conn.stmt(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?
      WHERE experiment_id = ? AND lifecycle_stage = 'active'`).run(now, row.experiment_id);
  } else {
    conn.stmt(`UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL
      WHERE experiment_id = ? AND lifecycle_stage = 'deleted'
        AND deleted_time = (SELECT deleted_time FROM experiments WHERE experiment_id = ?)`).run(row.experiment_id, row.experiment_id);
  }
  conn.stmt('UPDATE experiments SET lifecycle_stage = ?, deleted_time = ?, last_update_time = ? WHERE experiment_id = ?')
    .run(stage, stage === 'deleted' ? now : null, now, row.experiment_id);
}

/** Experiments for `ids` in that order, in two queries. */
export function hydrateExperiments(conn: Connection, ids: readonly string[]): Experiment[] {
  if (ids.length === 0) return [];
  const list = idList(ids);
  const rows = conn.stmt(`SELECT ${COLUMNS} FROM json_each(?) j CROSS JOIN experiments e ON e.experiment_id = j.value ORDER BY j.key`)
    .all(list) as ExperimentRow[];
  const tagRows = conn.stmt(`SELECT t.experiment_id, t.key, t.value FROM json_each(?) j
    CROSS JOIN experiment_tags t ON t.experiment_id = j.value`).all(list) as { experiment_id: string; key: string; value: string }[];
  const tags = new Map<string, [string, string][]>();
  for (const t of tagRows) {
    let entries = tags.get(t.experiment_id);
    if (!entries) tags.set(t.experiment_id, entries = []);
    entries.push([t.key, t.value]);
  }
  return rows.map((row) => experimentFromRow(row, recordFrom(tags.get(row.experiment_id) ?? [])));
}
