/**
 * Which experiment `tracklab run` puts its project runs in, through the real
 * CLI and tslab kernel: the one the notebook names in configure(), beside the
 * notebook's own runs (not "Default"); --experiment when given, with a note
 * when the notebook's runs went elsewhere; the default when neither says.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { runCliProcess } from '../support/cli-io';
import { projectWithNotebook, tempDir } from './runner-fixtures';

/** train.ipynb whose import cell also calls configure({ experiment }), when given. */
function notebookIn(experiment?: string): string {
  const { notebook } = projectWithNotebook();
  if (experiment !== undefined) {
    const nb = JSON.parse(fs.readFileSync(notebook, 'utf8')) as { cells: { source: string | string[] }[] };
    const cell = nb.cells.find((c) => [c.source].flat().join('').includes("from 'tracklab'"))!;
    cell.source = `${[cell.source].flat().join('')}\ntracklab.configure({ experiment: '${experiment}' });`;
    fs.writeFileSync(notebook, JSON.stringify(nb));
  }
  return notebook;
}

/** `tracklab run ...args` into a fresh store; the experiment name of every run, by run name. */
async function runAndPlace(args: readonly string[]): Promise<{ stderr: string; projectRunId: string; place: Map<string, { experiment: string; parent: string | null }> }> {
  const home = tempDir();
  const exit = await runCliProcess(['--home', home, 'run', ...args, '--json'], { TRACKLAB_EXPERIMENT: '' });
  assert.equal(exit.code, 0, exit.stderr);
  const { runId } = JSON.parse(exit.stdout) as { runId: string };
  const client = new TrackingClient({ home });
  try {
    const { runs } = await client.searchRuns({ maxResults: 100 });
    const names = new Map<string, string>();
    for (const r of runs) if (!names.has(r.info.experimentId)) names.set(r.info.experimentId, (await client.getExperiment(r.info.experimentId)).name);
    return { stderr: exit.stderr, projectRunId: runId, place: new Map(runs.map((r) => [r.info.runId, { experiment: names.get(r.info.experimentId)!, parent: r.info.parentRunId }])) };
  } finally {
    await client.close();
  }
}

test('tracklab run puts the project run in the experiment the notebook configures, beside its runs', { timeout: 120_000 }, async () => {
  const { stderr, projectRunId, place } = await runAndPlace([notebookIn('mnist')]);
  assert.equal(place.size, 2, 'the project run and the notebook\'s run');
  assert.equal(place.get(projectRunId)?.experiment, 'mnist');
  const [child] = [...place.values()].filter((r) => r.parent === projectRunId);
  assert.equal(child?.experiment, 'mnist');
  assert.doesNotMatch(stderr, /note: /);
});

test('a sweep, its points and their runs all go to the experiment the notebook configures', { timeout: 180_000 }, async () => {
  const { projectRunId, place } = await runAndPlace([notebookIn('mnist'), '-P', 'lr=0.1,0.2']);
  assert.equal(place.size, 5, 'the sweep run, 2 points and 2 notebook runs');
  assert.deepEqual([...new Set([...place.values()].map((r) => r.experiment))], ['mnist']);
  assert.equal([...place.values()].filter((r) => r.parent === projectRunId).length, 2);
});

test('--experiment wins for the project run; a note says the notebook\'s runs went elsewhere and how to keep them together', { timeout: 120_000 }, async () => {
  const { stderr, projectRunId, place } = await runAndPlace([notebookIn('mnist'), '--experiment', 'other']);
  assert.equal(place.get(projectRunId)?.experiment, 'other');
  assert.equal([...place.values()].find((r) => r.parent === projectRunId)?.experiment, 'mnist', 'the notebook\'s own choice holds for its runs');
  assert.match(stderr, /^note: the notebook's runs went to experiment "mnist", its project run \S+ to "other"\. To keep them together, pass --experiment "mnist"/m);
});

test('a notebook that names no experiment: the project run and its runs share the default one', { timeout: 120_000 }, async () => {
  const { stderr, projectRunId, place } = await runAndPlace([notebookIn()]);
  assert.deepEqual([...place.values()].map((r) => r.experiment), ['Default', 'Default']);
  assert.ok(place.has(projectRunId));
  assert.doesNotMatch(stderr, /note: /);
});
