/**
 * The artifact and dataset-input operations of TrackingClient: what a run
 * wrote and what it read. Artifacts go through the client's
 * ArtifactRepository (src/artifacts/); dataset inputs through src/datasets/,
 * loaded on first use like the repository.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, CellRecord, DatasetInput, RunInput } from '../entities';
import { validateRunId } from '../validation';
import type { TrackingClient } from './client';

export async function logInput(client: TrackingClient, runId: string, dataset: DatasetSource, options: LogInputOptions): Promise<DatasetInput> {
  validateRunId(runId);
  return (require('../datasets/log-input') as typeof import('../datasets/log-input')).logInputTo(client, runId, dataset, options);
}

export async function listInputs(client: TrackingClient, runIds: string | readonly string[]): Promise<readonly RunInput[]> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  return (require('../datasets/log-input') as typeof import('../datasets/log-input')).listInputsOf(client, ids);
}

export async function logArtifact(client: TrackingClient, runId: string, source: ArtifactSource, artifactPath: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  return client.artifacts.logArtifact(runId, source, artifactPath);
}

export async function logArtifacts(client: TrackingClient, runId: string, localDir: string, artifactPath: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  return client.artifacts.logArtifacts(runId, localDir, artifactPath);
}

export async function linkArtifacts(client: TrackingClient, runId: string, entries: readonly ArtifactEntry[]): Promise<boolean> {
  await client.store.putArtifacts(runId, entries);
  for (const entry of entries) if (!(await client.artifacts.content.has(entry.sha256))) return false;
  return true;
}

export async function listArtifacts(client: TrackingClient, runId: string, prefix: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  return client.artifacts.listArtifacts(runId, prefix);
}

export async function openArtifact(client: TrackingClient, runId: string, artifactPath: string): Promise<Buffer> {
  validateRunId(runId);
  return client.artifacts.openArtifact(runId, artifactPath);
}

export async function recordCell(client: TrackingClient, cell: CellRecord): Promise<void> {
  validateRunId(cell.runId);
  await client.call('record the notebook cell', (s) => s.recordCell(cell));
}

export async function listCells(client: TrackingClient, runId: string): Promise<readonly CellRecord[]> {
  validateRunId(runId);
  return client.call('list the notebook cells', (s) => s.listCells(runId));
}
