/** Datasets and run inputs (migration 3). Callers hold the transaction. */
import { createHash } from 'node:crypto';
import type { ColumnProfile, Dataset, DatasetColumn, DatasetInput, DatasetSourceType, RunInput } from '../../entities';
import type { Connection } from './connection';
import { idList } from './run-lookup';

/** Same (name, digest), same id in every process, so concurrent first records cannot disagree. */
export function datasetId(name: string, digest: string): string {
  return createHash('sha256').update(JSON.stringify([name, digest])).digest('hex').slice(0, 32);
}

export function insertInputs(conn: Connection, runId: string, inputs: readonly DatasetInput[]): void {
  const dataset = conn.stmt(`INSERT INTO datasets (dataset_id, name, digest, source_type, source, schema_json, profile_json, num_rows, created_time)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id) DO NOTHING`);
  const link = conn.stmt('INSERT INTO run_inputs (run_id, dataset_id, context) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const now = Date.now();
  for (const { dataset: d, context } of inputs) {
    const id = datasetId(d.name, d.digest);
    dataset.run(id, d.name, d.digest, d.sourceType, d.source, d.schema === null ? null : JSON.stringify(d.schema),
      d.profile === null ? null : JSON.stringify(d.profile), d.numRows, now);
    link.run(runId, id, context ?? '');
  }
}

interface InputRow {
  readonly run_id: string;
  readonly context: string;
  readonly name: string;
  readonly digest: string;
  readonly source_type: DatasetSourceType;
  readonly source: string;
  readonly schema_json: string | null;
  readonly profile_json: string | null;
  readonly num_rows: number | null;
}

export function listInputRows(conn: Connection, runIds: readonly string[]): RunInput[] {
  if (runIds.length === 0) return [];
  const rows = conn.stmt(`SELECT ri.run_id, ri.context, d.name, d.digest, d.source_type, d.source, d.schema_json, d.profile_json, d.num_rows
    FROM json_each(?) j JOIN run_inputs ri ON ri.run_id = j.value JOIN datasets d ON d.dataset_id = ri.dataset_id
    ORDER BY j.key, d.name, ri.context, d.digest`).all(idList(runIds)) as InputRow[];
  return rows.map((r) => ({ runId: r.run_id, context: r.context === '' ? null : r.context, dataset: datasetFromRow(r) }));
}

function datasetFromRow(r: InputRow): Dataset {
  // Written by insertInputs from validated entities; JSON.parse keeps any "__proto__" key as plain data.
  return {
    name: r.name,
    digest: r.digest,
    sourceType: r.source_type,
    source: r.source,
    schema: r.schema_json === null ? null : JSON.parse(r.schema_json) as DatasetColumn[],
    profile: r.profile_json === null ? null : JSON.parse(r.profile_json) as ColumnProfile[],
    numRows: r.num_rows,
  };
}
