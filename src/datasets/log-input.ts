/** Recording datasets on runs, behind TrackingClient.logInput and listInputs. */
import type { DatasetInput, RunInput } from '../entities';
import type { TrackingClient } from '../tracking/client';
import { describeDataset, type DatasetSource, type LogInputOptions } from './describe-dataset';

export async function logInputTo(client: TrackingClient, runId: string, data: DatasetSource, options: LogInputOptions = {}): Promise<DatasetInput> {
  const input: DatasetInput = { dataset: describeDataset(data, options), context: options.context ?? null };
  await client.call('record the dataset input', (s) => s.logInputs(runId, [input]));
  return input;
}

export async function listInputsOf(client: TrackingClient, runIds: readonly string[]): Promise<readonly RunInput[]> {
  return client.call('list dataset inputs', (s) => s.listInputs(runIds));
}
