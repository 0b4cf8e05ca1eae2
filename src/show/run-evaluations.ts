/** Reads each run's newest evaluation.json back from the store, for compare({ evaluation: true }). */
import type { Run } from '../entities';
import { EVALUATION_FILE, isEvaluationSummary, type EvaluationSummary } from '../evaluate/evaluation-summary';
import type { TrackingClient } from '../tracking/client';
import type { RunEvaluation } from '../views/evaluation-comparison';

export async function runEvaluations(client: TrackingClient, runs: readonly Run[]): Promise<RunEvaluation[]> {
  const out: RunEvaluation[] = [];
  for (const run of runs) {
    const runId = run.info.runId;
    let newest: EvaluationSummary | undefined;
    for (const entry of await client.listArtifacts(runId)) {
      if (entry.path !== EVALUATION_FILE && !entry.path.endsWith(`/${EVALUATION_FILE}`)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse((await client.openArtifact(runId, entry.path)).toString('utf8'));
      } catch {
        continue; // not ours, or damaged: the comparison shows the others
      }
      if (isEvaluationSummary(parsed) && (!newest || parsed.createdAt > newest.createdAt)) newest = parsed;
    }
    if (newest) out.push({ runId, runName: run.info.runName || runId, summary: newest });
  }
  return out;
}
