/**
 * What a run wrote and read, as operations of TrackingClient: artifacts
 * (through the core's ArtifactRepository, src/artifacts/), dataset inputs
 * (described by src/datasets/, recorded here) and notebook cells.
 */
import type { ArtifactSource } from '../artifacts/artifact-source';
import type { DatasetSource, LogInputOptions } from '../datasets/describe-dataset';
import type { ArtifactEntry, CellRecord, DatasetInput, RunInput } from '../entities';
import { validateRunId } from '../validation';
import type { ClientCore } from './client-core';

export async function logInput(core: ClientCore, runId: string, data: DatasetSource, options: LogInputOptions): Promise<DatasetInput> {
  validateRunId(runId);
  const { describeDataset } = require('../datasets/describe-dataset') as typeof import('../datasets/describe-dataset');
  const input: DatasetInput = { dataset: describeDataset(data, options), context: options.context ?? null };
  await core.call('record the dataset input', (s) => s.logInputs(runId, [input]));
  return input;
}

export async function listInputs(core: ClientCore, runIds: string | readonly string[]): Promise<readonly RunInput[]> {
  const ids = typeof runIds === 'string' ? [runIds] : runIds;
  ids.forEach((id) => validateRunId(id));
  return core.call('list dataset inputs', (s) => s.listInputs(ids));
}

export async function logArtifact(core: ClientCore, runId: string, source: ArtifactSource, artifactPath: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  return core.logArtifact(runId, source, artifactPath);
}

export async function logArtifacts(core: ClientCore, runId: string, localDir: string, artifactPath: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  return (await core.artifacts()).logArtifacts(runId, localDir, artifactPath);
}

export async function listArtifacts(core: ClientCore, runId: string, prefix: string | undefined): Promise<ArtifactEntry[]> {
  validateRunId(runId);
  // The manifest is in the store: listing needs no artifact root (only reading content does).
  const { listArtifactEntries } = require('../artifacts/artifact-repository') as typeof import('../artifacts/artifact-repository');
  return core.call('list artifacts', (s) => listArtifactEntries(s, runId, prefix));
}

export async function recordCell(core: ClientCore, cell: CellRecord): Promise<void> {
  validateRunId(cell.runId);
  await core.call('record the notebook cell', (s) => s.recordCell(cell));
}

export async function listCells(core: ClientCore, runId: string): Promise<readonly CellRecord[]> {
  validateRunId(runId);
  return core.call('list the notebook cells', (s) => s.listCells(runId));
}

