/**
 * Runs one of the example notebooks (notebooks/NAME.ipynb) on the real tslab
 * kernel under real nbconvert, in a fresh workspace with its own store, and
 * opens that store. Shared setup of the example-notebook tests. The store is
 * a folder in the workspace, or a fresh store of `kind` (PostgreSQL), which
 * the kernel finds through TRACKLAB_TRACKING_URI alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CellRecord, Run } from '../../src/entities';
import { getClient } from '../../src/config';
import type { TrackingClient } from '../../src/tracking/client';
import type { StoreKind } from '../support/test-stores';
import { executeNotebook, type ExecutedNotebook, notebookWorkspace, repoRoot } from '../support/jupyter';

export interface ExampleRun {
  readonly dir: string;
  readonly executed: ExecutedNotebook;
  readonly client: TrackingClient;
  /** Runs of `experiment`, oldest first. */
  readonly runs: readonly Run[];
  /** Cells recorded on each run, by run id. */
  readonly cellsOf: ReadonlyMap<string, readonly CellRecord[]>;
  /** Closes the store and removes the workspace. */
  dispose(): void;
}

export async function runExampleNotebook(name: string, experiment: string, kind?: StoreKind): Promise<ExampleRun> {
  const dir = notebookWorkspace();
  const other = kind?.create();
  const store = other?.uri ?? path.join(dir, 'store');
  let client: TrackingClient | undefined;
  const dispose = () => {
    void client?.close().then(() => other?.cleanup());
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const input = path.join(dir, `${name}.ipynb`);
    fs.copyFileSync(path.join(repoRoot(), 'notebooks', `${name}.ipynb`), input);
    const env: Record<string, string> = other === undefined
      ? { TRACKLAB_HOME: store }
      : { TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: other.uri, TRACKLAB_ARTIFACT_ROOT: other.artifactRoot };
    const executed = await executeNotebook(input, { cwd: dir, env });
    client = other?.client() ?? getClient(store);
    const runs = (await client.searchRuns({ experiments: experiment, orderBy: 'start_time ASC' })).runs;
    const cellsOf = new Map<string, readonly CellRecord[]>();
    for (const run of runs) cellsOf.set(run.info.runId, await client.listCells(run.info.runId));
    return { dir, executed, client, runs, cellsOf, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
