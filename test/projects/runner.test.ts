import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runProject } from '../../src/projects/run-project';
import { readNotebook } from '../../src/projects/nbformat';
import { TrackingClient } from '../../src/tracking/client';
import { projectWithNotebook, tempDir } from './runner-fixtures';

/** Collects progress text instead of printing it. */
function sink(): { write(t: string): void; text(): string } {
  let text = '';
  return { write: (t) => { text += t; }, text: () => text };
}

async function children(client: TrackingClient, parent: string) {
  const { runs } = await client.searchRuns({ filter: `attributes.parent_run_id = '${parent}'`, orderBy: ['attributes.start_time ASC'] });
  return runs;
}

test('a notebook runs as a project run: injected parameters reach the notebook\'s own run, which nests under it; the executed notebook is stored', async () => {
  const { notebook } = projectWithNotebook();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const progress = sink();
    const result = await runProject({ target: notebook, client, experiment: 'runner', parameters: { lr: ['0.25'], epochs: ['4'] }, progress });
    assert.equal(result.status, 'FINISHED', result.points[0]?.message ?? '');
    const project = await client.getRun(result.runId);
    assert.deepEqual({ ...project.data.params }, { lr: '0.25', epochs: '4' });
    assert.equal(project.data.tags['tracklab.source.type'], 'PROJECT');
    assert.equal(project.data.tags['tracklab.project.notebook'], notebook);
    assert.deepEqual(JSON.parse(project.data.tags['tracklab.project.parameters']!), { lr: 0.25, epochs: 4 });

    const [child, ...more] = await children(client, result.runId);
    assert.ok(child, 'the run the notebook started is a child of the project run');
    assert.equal(more.length, 0);
    assert.deepEqual({ ...child.data.params }, { lr: '0.25', epochs: '4', label: 'baseline' });
    assert.equal(child.data.metrics['loss']?.last, (1 - 0.25) ** 4);
    assert.equal(child.data.metrics['loss']?.count, 4);
    assert.equal(child.data.tags['tracklab.project.notebook'], notebook, 'runs inside know the notebook');
    assert.deepEqual(JSON.parse(child.data.tags['tracklab.project.parameters']!), { lr: 0.25, epochs: 4 });
    assert.equal((await client.getExperiment(child.info.experimentId)).name, 'runner', 'TRACKLAB_EXPERIMENT reached the kernel');

    const output = result.points[0]!.output!;
    assert.equal(output, path.join(await client.artifactRoot(), 'outputs', result.runId, 'train.ipynb'));
    const executed = readNotebook(output);
    assert.deepEqual((executed.metadata['tracklab'] as { parameters: unknown }).parameters, { lr: 0.25, epochs: 4 });
    const artifacts = await client.listArtifacts(result.runId);
    assert.deepEqual(artifacts.map((a) => a.path), ['notebook.ipynb']);
    assert.equal(fs.readFileSync(await client.downloadArtifacts(`runs:/${result.runId}/notebook.ipynb`, tempDir()), 'utf8'), fs.readFileSync(output, 'utf8'));
    assert.match(progress.text(), /^\[0\/5\] import \* as tracklab[\s\S]*\[5\/5\] done\n/, 'cell progress was shown (5 code cells, the injected one included)');
  } finally {
    await client.close();
  }
});

test('a failing cell ends the project run FAILED with the cell, its first line and the error named', async () => {
  const { notebook } = projectWithNotebook();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: notebook, client, parameters: { fail: ['true'], lr: ['0.5'] }, progress: sink() });
    assert.equal(result.status, 'FAILED');
    const project = await client.getRun(result.runId);
    assert.equal(project.info.status, 'FAILED');
    // cells: markdown, imports, parameters, injected, train, finish (index 5)
    assert.match(project.info.statusMessage ?? '', /^Cell 5 \[5\] `if \(fail\) throw new RangeError\(`diverged at lr=\$\{lr\}`\);` failed: RangeError: diverged at lr=0\.5$/);
    assert.deepEqual((await client.listArtifacts(result.runId)).map((a) => a.path), ['notebook.ipynb'], 'the partly executed notebook is kept');
  } finally {
    await client.close();
  }
});

test('a 2×2 sweep runs 4 project runs under one sweep run, 2 kernels at a time, and marks the best point', async () => {
  const { notebook } = projectWithNotebook();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const progress = sink();
    const result = await runProject({ target: notebook, client, parameters: { lr: ['0.1', '0.5'], epochs: ['2', '3'] }, maxParallel: 2, progress });
    assert.equal(result.status, 'FINISHED', progress.text());
    const points = await children(client, result.runId);
    assert.equal(points.length, 4);
    assert.deepEqual(points.map((p) => ({ ...p.data.params })).sort((a, b) => `${a.lr}${a.epochs}`.localeCompare(`${b.lr}${b.epochs}`)),
      [{ lr: '0.1', epochs: '2' }, { lr: '0.1', epochs: '3' }, { lr: '0.5', epochs: '2' }, { lr: '0.5', epochs: '3' }]);
    // Two kernels at once, read from the order of the sweep's start and end lines (no clock):
    // two points started before any ended, and never more than two were running.
    let running = 0;
    let most = 0;
    for (const line of progress.text().split('\n')) {
      if (/^\[\d+\/4\] start /.test(line)) most = Math.max(most, ++running);
      else if (/^\[\d+\/4\] (FINISHED|FAILED|KILLED) /.test(line)) running--;
    }
    assert.equal(most, 2, `points ran two at a time:\n${progress.text()}`);

    const summary = result.summary!;
    assert.equal(summary.metric, 'loss');
    assert.equal(summary.mode, 'min');
    const expected = [[0.1, 2], [0.1, 3], [0.5, 2], [0.5, 3]].map(([lr, ep]) => (1 - lr!) ** ep!);
    assert.deepEqual(summary.values, expected);
    assert.equal(summary.best, expected.indexOf(Math.min(...expected)));
    assert.equal(summary.table.rows.filter((r) => r.highlight).length, 1);
    const sweep = await client.getRun(result.runId);
    assert.equal(sweep.data.tags['tracklab.source.type'], 'SWEEP');
    assert.equal(sweep.data.tags['tracklab.sweep.best_run_id'], result.points[summary.best!]!.runId);
    assert.deepEqual((await client.listArtifacts(result.runId)).map((a) => a.path), ['sweep-summary.json']);
  } finally {
    await client.close();
  }
});
