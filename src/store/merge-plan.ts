/**
 * How `migrate-store --merge` fits one store into another that already holds
 * work: a second member's solo history into the team's store. The
 * destination is only added to, never changed:
 * - an experiment whose name the destination already has brings no row of
 *   its own: its runs join that experiment, and its tags the destination
 *   lacks are added (the destination's description and tag values stay).
 *   When both are deleted, the runs deleted with the source's take the
 *   destination's deletion time, so restoring it brings them back too;
 * - an experiment whose id the destination gives to another name gets a new id;
 * - a dataset the destination has (same name and digest, so the same id) is
 *   linked to the new runs, not copied again;
 * - registered models get new ids after the destination's; names, version
 *   numbers, aliases and tags are kept.
 * Refused before anything is written: a run id in both stores (this store
 * was merged there before) and a registered model name in both (versions
 * cannot be renumbered without breaking `models:/name/N` references).
 */
import { TracklabError } from '../errors';
import { newExperimentId } from './experiment-id';
import type { PortableRow, PortableValue, ReadRows, RowFilter, StoreTransfer, TransferTable } from './store-transfer';

/** What a copy writes, and which destination rows it reads back to verify them. */
export interface CopyPlan {
  /** The row as it goes into the destination, or undefined when the destination already has it. */
  mapRow(table: TransferTable, row: PortableRow): PortableRow | undefined;
  /** The destination rows that hold what was written (undefined: the whole table), read after the copy. */
  readBack(table: TransferTable): ReadBack | undefined;
  /** What the user should know about the merge, one line each. */
  readonly notes: readonly string[];
}

export interface ReadBack {
  readonly only: RowFilter;
  /** A finer test than `only` can say in SQL. */
  readonly keep?: (row: PortableRow) => boolean;
}

/** The copy into an empty store: every row as it is, every table read back whole. */
export const WHOLE_COPY: CopyPlan = { mapRow: (_table, row) => row, readBack: () => undefined, notes: [] };

const RUN_TABLES: ReadonlySet<TransferTable> = new Set(['runs', 'params', 'tags', 'metric_blocks', 'metric_summaries', 'artifacts', 'cells', 'run_inputs']);
const MODEL_TABLES: ReadonlySet<TransferTable> = new Set(['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags',
  'model_version_files', 'registered_model_aliases']);

const BATCH = 2000;

async function readAll(read: ReadRows, table: TransferTable, only?: RowFilter): Promise<PortableRow[]> {
  const rows: PortableRow[] = [];
  await read(table, BATCH, async (batch) => { rows.push(...batch); }, only);
  return rows;
}

const text = (v: unknown) => v as string;
const tagKey = (experimentId: string, key: string) => `${experimentId}\u0000${key}`;

/**
 * `to` reads the destination inside the import's transaction, which keeps
 * others from adding the experiments, datasets and models it plans around.
 * @example
 * const plan = await planMerge(solo.transfer(), readInTransaction);
 * plan.notes; // ['experiment "vision": its 12 runs join the destination\'s experiment of that name (id 4fT…)']
 */
export async function planMerge(from: StoreTransfer, to: ReadRows): Promise<CopyPlan> {
  const notes: string[] = [];
  const runs = await readAll(from.readTable, 'runs');
  const runIds = runs.map((r) => text(r.run_id));
  const taken = await readAll(to, 'runs', { column: 'run_id', values: runIds });
  if (taken.length > 0) {
    throw new TracklabError('INVALID_STATE', `${taken.length} of the source's ${runIds.length} runs are already in the destination `
      + `(first: ${text(taken[0].run_id)}): this store was copied there before. Nothing was written.`);
  }
  const models = await planModels(from, to);
  const runCounts = new Map<string, number>();
  for (const r of runs) runCounts.set(text(r.experiment_id), (runCounts.get(text(r.experiment_id)) ?? 0) + 1);
  const experiments = await planExperiments(from, to, runCounts, notes);
  const datasets = await planDatasets(from, to);
  return {
    notes,
    mapRow(table, row) {
      if (table === 'experiments' || table === 'experiment_tags') return experiments.mapRow(table, row);
      if (table === 'runs') return experiments.run(row);
      if (table === 'datasets') return datasets.existing.has(text(row.dataset_id)) ? undefined : row;
      if (MODEL_TABLES.has(table)) return { ...row, model_id: models.id(row.model_id as number) };
      return row;
    },
    readBack(table) {
      if (table === 'experiments' || table === 'experiment_tags') return experiments.readBack(table);
      if (RUN_TABLES.has(table)) return { only: { column: 'run_id', values: runIds } };
      if (table === 'datasets') return { only: { column: 'dataset_id', values: datasets.added } };
      if (MODEL_TABLES.has(table)) return { only: { column: 'model_id', values: models.added } };
      throw new TracklabError('INTERNAL_ERROR', `migrate-store --merge does not know how to merge ${table}.`);
    },
  };
}

async function planExperiments(from: StoreTransfer, to: ReadRows, runCounts: ReadonlyMap<string, number>, notes: string[]) {
  const destination = await readAll(to, 'experiments');
  const byName = new Map(destination.map((e) => [text(e.name), e]));
  const usedIds = new Set(destination.map((e) => text(e.experiment_id)));
  const ids = new Map<string, string>();
  const added = new Set<string>();
  const joined = new Set<string>();
  // Source experiment id -> its deletion time and that of the deleted experiment it joins.
  const restamp = new Map<string, { from: PortableValue; to: PortableValue }>();
  for (const e of await readAll(from.readTable, 'experiments')) {
    const [id, name] = [text(e.experiment_id), text(e.name)];
    const same = byName.get(name);
    if (same) {
      const into = text(same.experiment_id);
      ids.set(id, into);
      joined.add(into);
      if (e.lifecycle_stage === 'deleted' && same.lifecycle_stage === 'deleted') restamp.set(id, { from: e.deleted_time, to: same.deleted_time });
      const runs = runCounts.get(id) ?? 0;
      notes.push(`experiment "${name}": its ${runs === 1 ? '1 run joins' : `${runs} runs join`} the destination's experiment of that name (id ${into})`
        + (same.lifecycle_stage === 'deleted' ? `, which is deleted there: tracklab experiments restore ${into} brings it back` : '')
        + (e.lifecycle_stage === 'deleted' && same.lifecycle_stage !== 'deleted'
          ? `; it was deleted in the source, so the runs deleted with it stay deleted (tracklab runs --all lists them, tracklab runs restore ID brings one back)` : ''));
      continue;
    }
    let newId = id;
    while (usedIds.has(newId)) newId = newExperimentId();
    if (newId !== id) notes.push(`experiment "${name}" has the new id ${newId}: its id ${id} belongs to another experiment in the destination`);
    usedIds.add(newId);
    ids.set(id, newId);
    added.add(newId);
  }
  const existingTags = new Set((await readAll(to, 'experiment_tags', { column: 'experiment_id', values: [...joined] }))
    .map((t) => tagKey(text(t.experiment_id), text(t.key))));
  const addedTags = new Set<string>();
  const id = (sourceId: string) => {
    const mapped = ids.get(sourceId);
    if (mapped === undefined) throw new TracklabError('INTERNAL_ERROR', `The source's runs name experiment ${sourceId}, which it does not have.`);
    return mapped;
  };
  return {
    id,
    /** The run in its destination experiment; deleted with a deleted experiment that joins another, deleted with that one. */
    run(row: PortableRow): PortableRow {
      const stamp = restamp.get(text(row.experiment_id));
      const deletedTime = stamp !== undefined && row.deleted_time === stamp.from ? stamp.to : row.deleted_time;
      return { ...row, experiment_id: id(text(row.experiment_id)), deleted_time: deletedTime };
    },
    mapRow(table: 'experiments' | 'experiment_tags', row: PortableRow): PortableRow | undefined {
      const experimentId = id(text(row.experiment_id));
      if (table === 'experiments') return added.has(experimentId) ? { ...row, experiment_id: experimentId } : undefined;
      const key = tagKey(experimentId, text(row.key));
      if (!added.has(experimentId)) {
        if (existingTags.has(key)) return undefined;
        addedTags.add(key);
      }
      return { ...row, experiment_id: experimentId };
    },
    readBack(table: 'experiments' | 'experiment_tags'): ReadBack {
      if (table === 'experiments') return { only: { column: 'experiment_id', values: [...added] } };
      return {
        only: { column: 'experiment_id', values: [...added, ...joined] },
        keep: (row) => added.has(text(row.experiment_id)) || addedTags.has(tagKey(text(row.experiment_id), text(row.key))),
      };
    },
  };
}

async function planDatasets(from: StoreTransfer, to: ReadRows) {
  const ids = (await readAll(from.readTable, 'datasets')).map((d) => text(d.dataset_id));
  const existing = new Set((await readAll(to, 'datasets', { column: 'dataset_id', values: ids })).map((d) => text(d.dataset_id)));
  return { existing, added: ids.filter((id) => !existing.has(id)) };
}

async function planModels(from: StoreTransfer, to: ReadRows) {
  const source = await readAll(from.readTable, 'registered_models');
  const destination = await readAll(to, 'registered_models');
  const destinationNames = new Set(destination.map((m) => text(m.name)));
  const both = source.map((m) => text(m.name)).filter((name) => destinationNames.has(name));
  if (both.length > 0) {
    const list = both.slice(0, 3).map((n) => `"${n}"`).join(', ') + (both.length > 3 ? ` and ${both.length - 3} more` : '');
    throw new TracklabError('INVALID_STATE', `Registered model${both.length === 1 ? '' : 's'} ${list} ${both.length === 1 ? 'is' : 'are'} in both stores. `
      + `${both.length === 1 ? 'Its' : 'Their'} versions cannot be merged without renumbering them, which would break models:/${both[0]}/N references. Rename one first, `
      + `e.g. in the source: tracklab --tracking-uri SOURCE models rename ${both[0]} ${both[0]}-2 (or getRegistry().renameRegisteredModel() in a notebook), `
      + 'then merge again. Nothing was written.');
  }
  let next = destination.reduce((max, m) => Math.max(max, m.model_id as number), 0) + 1;
  const ids = new Map<number, number>();
  for (const m of [...source].sort((a, b) => (a.model_id as number) - (b.model_id as number))) ids.set(m.model_id as number, next++);
  return {
    added: [...ids.values()],
    id(sourceId: number): number {
      const mapped = ids.get(sourceId);
      if (mapped === undefined) throw new TracklabError('INTERNAL_ERROR', `The source's registry names model id ${sourceId}, which it does not have.`);
      return mapped;
    },
  };
}
