/** Per-run artifact manifests, notebook cells, dataset inputs, and purging runs. */
import { createHash } from 'node:crypto';
import type { ArtifactEntry, CellRecord, ColumnProfile, Dataset, DatasetColumn, DatasetInput, DatasetSourceType, RunInput } from '../../entities';
import type { Query } from './connection';

/**
 * Every table that pins a content-addressed blob, as one `sha256` column each.
 * A blob is garbage only if none of these lists it: a later table that pins
 * blobs must be added here, or gc will delete its files.
 */
const BLOB_REFERENCES: readonly string[] = [
  'SELECT sha256 FROM artifacts',
  'SELECT sha256 FROM model_version_files',
];

export async function referencedBlobSet(q: Query): Promise<Set<string>> {
  const rows = await q<{ sha256: string }>(BLOB_REFERENCES.join(' UNION '));
  return new Set(rows.map((r) => r.sha256));
}

export async function upsertArtifacts(q: Query, runId: string, entries: readonly ArtifactEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // One row per path: the last entry for a path wins, as sequential upserts would.
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const list = [...byPath.values()];
  await q(`INSERT INTO artifacts (run_id, path, sha256, size, created_time)
    SELECT $1::text, u.path, u.sha256, u.size, $5::bigint FROM unnest($2::text[], $3::text[], $4::bigint[]) AS u(path, sha256, size)
    ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, created_time = excluded.created_time`,
  [runId, list.map((e) => e.path), list.map((e) => e.sha256), list.map((e) => e.size), Date.now()]);
}

/**
 * Entries at or under `prefix`, matched by whole path segments: `model` lists
 * `model` and `model/...`, never `model2/...`.
 */
export async function listArtifactRows(q: Query, runId: string, prefix?: string): Promise<ArtifactEntry[]> {
  const dir = (prefix ?? '').replace(/\/+$/, '');
  const rows = dir === ''
    ? await q<ArtifactEntry>('SELECT path, sha256, size FROM artifacts WHERE run_id = $1 ORDER BY path', [runId])
    // '0' sorts right after '/' (COLLATE "C"), so [dir + '/', dir + '0') is exactly the paths below dir.
    : await q<ArtifactEntry>(`SELECT path, sha256, size FROM artifacts WHERE run_id = $1 AND (path = $2 OR (path >= $3 AND path < $4))
        ORDER BY path`, [runId, dir, `${dir}/`, `${dir}0`]);
  return rows.map((r) => ({ path: r.path, sha256: r.sha256, size: r.size }));
}

export async function upsertCell(q: Query, cell: CellRecord): Promise<void> {
  await q(`INSERT INTO cells (run_id, seq, execution_count, source, start_time, end_time, status, error)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (run_id, seq) DO UPDATE SET execution_count = excluded.execution_count, source = excluded.source,
      start_time = excluded.start_time, end_time = excluded.end_time, status = excluded.status, error = excluded.error`,
  [cell.runId, cell.seq, cell.executionCount, cell.source, cell.startTime, cell.endTime, cell.status, cell.error]);
}

interface CellRow {
  readonly run_id: string;
  readonly seq: number;
  readonly execution_count: number | null;
  readonly source: string;
  readonly start_time: number;
  readonly end_time: number | null;
  readonly status: CellRecord['status'];
  readonly error: string | null;
}

export async function listCellRows(q: Query, runId: string): Promise<CellRecord[]> {
  const rows = await q<CellRow>('SELECT * FROM cells WHERE run_id = $1 ORDER BY seq', [runId]);
  return rows.map((r) => ({
    runId: r.run_id, seq: r.seq, executionCount: r.execution_count, source: r.source,
    startTime: r.start_time, endTime: r.end_time, status: r.status, error: r.error,
  }));
}

/** Deletes the runs; params, tags, metrics, manifests, cells and inputs go with them (ON DELETE CASCADE). */
export async function deleteRunsIn(q: Query, runIds: readonly string[]): Promise<void> {
  if (runIds.length > 0) await q('DELETE FROM runs WHERE run_id = ANY($1::text[])', [runIds]);
}

/** Same (name, digest), same id in every process and in the SQLite store, so concurrent first records cannot disagree. */
export function datasetId(name: string, digest: string): string {
  return createHash('sha256').update(JSON.stringify([name, digest])).digest('hex').slice(0, 32);
}

export async function insertInputs(q: Query, runId: string, inputs: readonly DatasetInput[]): Promise<void> {
  const now = Date.now();
  for (const { dataset: d, context } of inputs) {
    const id = datasetId(d.name, d.digest);
    await q({
      name: 'insert-input',
      text: `WITH d AS (INSERT INTO datasets (dataset_id, name, digest, source_type, source, schema_json, profile_json, num_rows, created_time)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dataset_id) DO NOTHING)
        INSERT INTO run_inputs (run_id, dataset_id, context) VALUES ($10, $1, $11) ON CONFLICT DO NOTHING`,
    }, [id, d.name, d.digest, d.sourceType, d.source, d.schema === null ? null : JSON.stringify(d.schema),
      d.profile === null ? null : JSON.stringify(d.profile), d.numRows, now, runId, context ?? '']);
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

export async function listInputRows(q: Query, runIds: readonly string[]): Promise<RunInput[]> {
  if (runIds.length === 0) return [];
  const rows = await q<InputRow>(`SELECT ri.run_id, ri.context, d.name, d.digest, d.source_type, d.source, d.schema_json, d.profile_json, d.num_rows
    FROM unnest($1::text[]) WITH ORDINALITY AS j(id, ord) JOIN run_inputs ri ON ri.run_id = j.id JOIN datasets d ON d.dataset_id = ri.dataset_id
    ORDER BY j.ord, d.name, ri.context, d.digest`, [runIds]);
  return rows.map((r) => ({ runId: r.run_id, context: r.context === '' ? null : r.context, dataset: datasetFromRow(r) }));
}

function datasetFromRow(r: InputRow): Dataset {
  // Written by insertInputs from validated entities; JSON.parse keeps any "__proto__" key as plain data.
  return {
    name: r.name, digest: r.digest, sourceType: r.source_type, source: r.source,
    schema: r.schema_json === null ? null : JSON.parse(r.schema_json) as DatasetColumn[],
    profile: r.profile_json === null ? null : JSON.parse(r.profile_json) as ColumnProfile[],
    numRows: r.num_rows,
  };
}
