/**
 * autolog() on the real tslab kernel under real nbconvert: cell-scoped runs
 * for a training cell run three times, a failing cell, an explicit run
 * spanning cells; checked on the saved notebook and in the store.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellRecord, Run } from '../../src/entities';
import { getClient } from '../../src/config';
import type { TrackingClient } from '../../src/tracking/client';
import {
  codeCells, displayOutputs, type ExecutedNotebook, interruptAt, joinText, makeNotebook, markerCode, mimeText, notebookWorkspace, runNotebook, streamText,
} from '../support/jupyter';

const TRAIN = [
  '// one training run: gradient descent on a 1-d quadratic',
  'let x = 5;',
  'for (let step = 0; step < epochs; step++) {',
  '  x -= lr * 2 * x;',
  '  tracklab.log({ loss: x * x, x }, step);',
  '  await new Promise((r) => setTimeout(r, 1));',
  '}',
].join('\n');

const CELLS = [
  "import * as tracklab from 'tracklab';\ntracklab.autolog();",
  "const lr = 0.5;\nconst epochs = 40;\nconst model = { hidden: 8, act: 'relu' };\nconst layers = [8, 4];\n"
    + "const LABELS = ['cat', 'dog', 'bird', 'fish', 'horse', 'frog', 'deer', 'ship', 'truck', 'plane'];\n"
    + "const TEMPLATES = { short: 'Hi {name}', long: 'Summarise the text below in one plain paragraph for a reader who is new to the field, then list three questions: {text}' };\nconst big = Array.from({ length: 500 }, (_, i) => i);\nfunction helper(n: number) { return n * 2; }\nclass Trainer {}",
  TRAIN,
  'const lr = 0.1;',
  TRAIN,
  'const lr = 0.02;',
  TRAIN,
  "const run = tracklab.startRun({ name: 'explicit-span' });\ntracklab.log({ a: 1 });",
  'tracklab.log({ a: 2 });',
  "tracklab.log({ a: 3 });\nawait tracklab.endRun();",
  "tracklab.log({ loss: 1 });\nthrow new Error('diverged <b>');",
];

// An endless awaiting loop, interrupted (SIGINT, as Jupyter does) once it is
// past its first await. The loop keeps running in the kernel after the
// interrupt; its next log() must not open a stray run.
const INTERRUPTED_CELLS = (marker: string) => [
  "import * as tracklab from 'tracklab';\ntracklab.autolog();",
  'const lr = 0.3;',
  `for (let i = 0; ; i++) {\n  tracklab.log({ loss: 1 / (i + 1) }, i);\n  if (i === 1) ${markerCode(marker)};\n  await new Promise((r) => setTimeout(r, 5));\n}`,
];

describe('autolog in a tslab notebook', () => {
  let dir: string;
  let home: string;
  let executed: ExecutedNotebook;
  let interrupted: ExecutedNotebook;
  let client: TrackingClient;
  let runs: readonly Run[];
  let killedRuns: readonly Run[];
  const cellsOf = new Map<string, readonly CellRecord[]>();

  before(async () => {
    dir = notebookWorkspace();
    home = path.join(dir, 'store');
    // The failing cell comes last: tslab cancels cells queued right after a failure.
    const interruptRun = runNotebook(dir, 'interrupt.ipynb', makeNotebook(INTERRUPTED_CELLS(path.join(dir, 'looping'))), {
      allowErrors: true, env: { TRACKLAB_HOME: path.join(dir, 'store-interrupt') },
    });
    [executed, interrupted] = await Promise.all([
      runNotebook(dir, 'autolog.ipynb', makeNotebook(CELLS), {
        allowErrors: true, env: { TRACKLAB_HOME: home, TRACKLAB_NOTEBOOK_PATH: 'autolog.ipynb' },
      }),
      interruptRun,
      // Fails instead of hanging if the notebook ends before the loop writes its marker.
      interruptAt(path.join(dir, 'looping'), interruptRun),
    ]);
    const killedClient = getClient(path.join(dir, 'store-interrupt'));
    killedRuns = (await killedClient.searchRuns()).runs;
    await killedClient.close();
    client = getClient(home);
    runs = (await client.searchRuns({ orderBy: 'start_time ASC' })).runs;
    for (const run of runs) cellsOf.set(run.info.runId, await client.listCells(run.info.runId));
  });

  after(async () => {
    await client?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every cell without unexpected errors', () => {
    const cells = codeCells(executed.notebook);
    cells.slice(0, -1).forEach((cell, i) => assert.equal(streamText(cell, 'stderr'), '', `cell ${i}`));
    assert.match(streamText(cells[cells.length - 1], 'stderr'), /diverged <b>/);
  });

  it('opens one run per executed training cell, plus the explicit and the failed one', () => {
    assert.equal(runs.length, 5, runs.map((r) => r.info.runName).join(', '));
    assert.deepEqual(runs.map((r) => r.info.status), ['FINISHED', 'FINISHED', 'FINISHED', 'FINISHED', 'FAILED']);
    assert.equal(runs[3].info.runName, 'explicit-span');
  });

  it('captures the settings as params, never data (LABELS, TEMPLATES, big), functions, classes or modules', () => {
    const training = runs.slice(0, 3);
    assert.deepEqual(training.map((r) => r.data.params.lr), ['0.5', '0.1', '0.02']);
    for (const run of training) {
      assert.deepEqual({ ...run.data.params }, {
        lr: run.data.params.lr, epochs: '40', 'model.hidden': '8', 'model.act': 'relu', layers: '[8,4]',
      });
      assert.equal(run.data.metrics.loss?.count, 40);
    }
    assert.deepEqual(Object.keys(runs[3].data.params), [], 'explicit runs get no captured params');
  });

  it('records the FAILED run with the error message', () => {
    const failed = runs[4];
    assert.equal(failed.info.statusMessage, 'Error: diverged <b>');
    assert.equal(failed.data.params.lr, '0.02');
    assert.ok(failed.info.endTime !== null);
  });

  it('records the cell source, execution count and status on each run', () => {
    const sources = codeCells(executed.notebook).map((c) => joinText(c.source));
    runs.slice(0, 3).forEach((run, i) => {
      const cells = cellsOf.get(run.info.runId) ?? [];
      assert.equal(cells.length, 1, JSON.stringify(cells));
      assert.equal(cells[0].source, TRAIN);
      assert.equal(cells[0].status, 'ok');
      assert.equal(cells[0].executionCount, 3 + 2 * i);
      assert.ok(cells[0].endTime !== null && cells[0].endTime >= cells[0].startTime);
    });
    const explicit = cellsOf.get(runs[3].info.runId) ?? [];
    assert.deepEqual(explicit.map((c) => c.source), sources.slice(7, 10));
    assert.deepEqual(explicit.map((c) => c.status), ['ok', 'ok', 'ok']);
    const failed = cellsOf.get(runs[4].info.runId) ?? [];
    assert.equal(failed.length, 1);
    assert.equal(failed[0].status, 'error');
    assert.equal(failed[0].error, 'Error: diverged <b>');
  });

  it('tags notebook provenance', () => {
    for (const run of runs) {
      const tags = run.data.tags;
      assert.equal(tags['tracklab.source.type'], 'NOTEBOOK');
      assert.equal(tags['tracklab.source.name'], 'autolog.ipynb');
      assert.equal(tags['tracklab.notebook.kernel'], 'tslab');
      assert.equal(tags['tracklab.version.tslab'], '1.0.22');
      assert.match(tags['tracklab.version.typescript'] ?? '', /^5\.0\./);
      assert.equal(tags['tracklab.version.node'], process.versions.node);
    }
    assert.deepEqual(runs.slice(0, 3).map((r) => r.data.tags['tracklab.source.cell']), ['3', '5', '7']);
    assert.equal(runs[3].data.tags['tracklab.source.cell'], '8', 'an explicit run names the cell that started it');
  });

  it('leaves one live card per training cell, in its final state', () => {
    const cells = codeCells(executed.notebook);
    const expectations: [number, Run, string][] = [[2, runs[0], 'FINISHED'], [4, runs[1], 'FINISHED'], [6, runs[2], 'FINISHED'], [10, runs[4], 'FAILED']];
    for (const [index, run, status] of expectations) {
      const outputs = displayOutputs(cells[index]);
      assert.equal(outputs.length, 1, `cell ${index} has one card`);
      const html = mimeText(outputs[0], 'text/html') ?? '';
      const text = mimeText(outputs[0], 'text/plain') ?? '';
      assert.ok(html.includes(run.info.runName), `card of cell ${index} names ${run.info.runName}`);
      assert.match(text, new RegExp(`\\[${status}\\]`));
      assert.ok(outputs[0].metadata !== undefined);
    }
    const failedHtml = mimeText(displayOutputs(cells[10])[0], 'text/html') ?? '';
    assert.ok(failedHtml.includes('diverged &lt;b&gt;'), 'the error message is escaped in the card');
    assert.ok(!failedHtml.includes('diverged <b>'));
  });

  it('ends the run of an interrupted cell KILLED, and opens no stray run', () => {
    assert.equal(killedRuns.length, 1, killedRuns.map((r) => `${r.info.runName} ${r.info.status}`).join(', '));
    const [run] = killedRuns;
    assert.equal(run.info.status, 'KILLED');
    assert.equal(run.info.statusMessage, 'Error: Interrupted asynchronously');
    assert.deepEqual({ ...run.data.params }, { lr: '0.3' });
    assert.ok((run.data.metrics.loss?.count ?? 0) > 0);
    const card = displayOutputs(codeCells(interrupted.notebook)[2]);
    assert.equal(card.length, 1);
    assert.match(mimeText(card[0], 'text/plain') ?? '', /\[KILLED\]/);
  });

  it('shows the explicit run in the cell that started it and the cells where it logged', () => {
    const cells = codeCells(executed.notebook);
    for (const index of [7, 8, 9]) {
      const outputs = displayOutputs(cells[index]);
      assert.equal(outputs.length, 1);
      assert.ok((mimeText(outputs[0], 'text/plain') ?? '').includes('explicit-span'));
    }
    assert.match(mimeText(displayOutputs(cells[9])[0], 'text/plain') ?? '', /\[FINISHED\]/);
  });
});

describe('autolog({ params: [...] }) in a tslab notebook', () => {
  const CLASSES = "['cat', 'dog', 'bird', 'fish', 'horse', 'frog', 'deer', 'ship', 'truck']";
  const NAMED = [
    "import * as tracklab from 'tracklab';\ntracklab.autolog({ params: ['classes', 'prompt', 'lr', 'train'] });",
    `const classes = ${CLASSES};\nconst prompt = 'Summarise: ' + 'x'.repeat(289);\nconst lr = 0.1;\nfunction train() { return 1; }`,
    'tracklab.log({ loss: 1 });',
    'tracklab.log({ loss: 2 });',
  ];
  let dir: string;
  let executed: ExecutedNotebook;
  let runs: readonly Run[];

  before(async () => {
    dir = notebookWorkspace();
    const home = path.join(dir, 'store');
    executed = await runNotebook(dir, 'named.ipynb', makeNotebook(NAMED), { env: { TRACKLAB_HOME: home } });
    const client = getClient(home);
    runs = (await client.searchRuns({ orderBy: 'start_time ASC' })).runs;
    await client.close();
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores the named 9-item array and 300-character string, which auto-capture would leave out', () => {
    assert.equal(runs.length, 2);
    for (const run of runs) {
      assert.deepEqual({ ...run.data.params }, {
        classes: '["cat","dog","bird","fish","horse","frog","deer","ship","truck"]',
        prompt: `Summarise: ${'x'.repeat(289)}`,
        lr: '0.1',
      });
    }
  });

  it('warns once, naming the variable it could not take and why', () => {
    const cells = codeCells(executed.notebook);
    assert.equal(streamText(cells[2], 'stderr'), 'tracklab autolog: "train", named in autolog({ params }), is not stored as a param: it is a function or class; a param is a number, string, boolean, array or plain object.\n');
    assert.equal(streamText(cells[3], 'stderr'), '', 'not again for the next run');
  });
});
