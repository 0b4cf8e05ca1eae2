/**
 * `tracklab.version.typescript` names the compiler of the run's code: a
 * notebook's cells are compiled by tslab's own TypeScript, so the project run
 * around a notebook says the same as the run inside it, not the TypeScript
 * the runner's process would resolve.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProject } from '../../src/projects/run-project';
import { TrackingClient } from '../../src/tracking/client';
import { projectWithNotebook, tempDir } from './runner-fixtures';

test('a notebook\'s project run and the run inside it name the same TypeScript: tslab\'s', async () => {
  const { notebook } = projectWithNotebook();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: notebook, client, experiment: 'versions', parameters: {}, progress: { write: () => undefined } });
    assert.equal(result.status, 'FINISHED', result.points[0]?.message ?? '');
    const project = await client.getRun(result.runId);
    const { runs: [child] } = await client.searchRuns({ filter: `attributes.parent_run_id = '${result.runId}'` });
    assert.ok(child);
    assert.match(child.data.tags['tracklab.version.typescript'] ?? '', /^5\.0\./, 'tslab 1.0.22 compiles with TypeScript 5.0');
    assert.equal(project.data.tags['tracklab.version.typescript'], child.data.tags['tracklab.version.typescript']);
    assert.equal(project.data.tags['tracklab.version.tslab'], child.data.tags['tracklab.version.tslab']);
  } finally {
    await client.close();
  }
});
