/** Per-run artifact manifests, notebook cells, and purging runs. Callers hold the transaction. */
import type { ArtifactEntry, CellRecord } from '../../entities';
import type { Connection } from './connection';
import { idList } from './run-lookup';

/**
 * Every table that pins a content-addressed blob, as one `sha256` column each.
 * A blob is garbage only if none of these lists it: a later table that pins
 * blobs must be added here, or gc will delete its files.
 */
const BLOB_REFERENCES: readonly string[] = [
  'SELECT sha256 FROM artifacts', // run manifests, whatever the run's lifecycle stage
  'SELECT sha256 FROM model_version_files', // registered model versions (migration 2) outlive their source runs
];

export function referencedBlobSet(conn: Connection): Set<string> {
  const rows = conn.stmt(BLOB_REFERENCES.join(' UNION ')).all() as { sha256: string }[];
  return new Set(rows.map((r) => r.sha256));
}

export function upsertArtifacts(conn: Connection, runId: string, entries: readonly ArtifactEntry[]): void {
  const upsert = conn.stmt(`INSERT INTO artifacts (run_id, path, sha256, size, created_time) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, created_time = excluded.created_time`);
  const now = Date.now();
  for (const e of entries) upsert.run(runId, e.path, e.sha256, e.size, now);
}

/**
 * Entries at or under `prefix`, which is matched by whole path segments:
 * `model` lists `model` and `model/...`, never `model2/...`.
 */
export function listArtifactRows(conn: Connection, runId: string, prefix?: string): ArtifactEntry[] {
  const dir = (prefix ?? '').replace(/\/+$/, '');
  const rows = dir === ''
    ? conn.stmt('SELECT path, sha256, size FROM artifacts WHERE run_id = ? ORDER BY path').all(runId)
    // '0' sorts right after '/', so [dir + '/', dir + '0') is exactly the paths below dir, using the primary key.
    : conn.stmt(`SELECT path, sha256, size FROM artifacts WHERE run_id = ? AND (path = ? OR (path >= ? AND path < ?))
        ORDER BY path`).all(runId, dir, `${dir}/`, `${dir}0`);
  return rows as ArtifactEntry[];
}

export function upsertCell(conn: Connection, cell: CellRecord): void {
  conn.stmt(`INSERT INTO cells (run_id, seq, execution_count, source, start_time, end_time, status, error)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, seq) DO UPDATE SET execution_count = excluded.execution_count, source = excluded.source,
      start_time = excluded.start_time, end_time = excluded.end_time, status = excluded.status, error = excluded.error`)
    .run(cell.runId, cell.seq, cell.executionCount, cell.source, cell.startTime, cell.endTime, cell.status, cell.error);
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

export function listCellRows(conn: Connection, runId: string): CellRecord[] {
  const rows = conn.stmt('SELECT * FROM cells WHERE run_id = ? ORDER BY seq').all(runId) as CellRow[];
  return rows.map((r) => ({
    runId: r.run_id,
    seq: r.seq,
    executionCount: r.execution_count,
    source: r.source,
    startTime: r.start_time,
    endTime: r.end_time,
    status: r.status,
    error: r.error,
  }));
}

/** Deletes the runs; params, tags, metrics, manifests and cells go with them (ON DELETE CASCADE). */
export function deleteRunsIn(conn: Connection, runIds: readonly string[]): void {
  if (runIds.length === 0) return;
  conn.stmt('DELETE FROM runs WHERE run_id IN (SELECT value FROM json_each(?))').run(idList(runIds));
}
