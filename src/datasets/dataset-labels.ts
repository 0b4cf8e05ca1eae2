import type { RunInput } from '../entities';

/** `mnist@3f2a1c9d (training)`: name, short digest and context, for table cells. */
export function datasetLabel(input: Pick<RunInput, 'dataset' | 'context'>): string {
  return `${input.dataset.name}@${input.dataset.digest.slice(0, 8)}${input.context ? ` (${input.context})` : ''}`;
}

/**
 * One cell per run listing the datasets it used, for comparison tables.
 *
 * @example
 * const labels = datasetLabels(await client.listInputs(runIds)); // Map { runId => 'mnist@3f2a1c9d (training), …' }
 */
export function datasetLabels(inputs: readonly RunInput[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const input of inputs) {
    const prev = out.get(input.runId);
    out.set(input.runId, prev === undefined ? datasetLabel(input) : `${prev}, ${datasetLabel(input)}`);
  }
  return out;
}
