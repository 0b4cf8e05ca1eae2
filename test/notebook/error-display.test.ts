/**
 * A TracklabError thrown into a notebook cell (bad input to tracklab) shows as
 * `TracklabError [CODE]: message` and the user's own cell frames, on the real
 * tslab kernel under nbconvert: no frames of tracklab's code, no excerpt of
 * the line in tracklab that threw. In a script its stack stays whole.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runNodeProcess } from '../support/cli-io';
import { codeCells, type ExecutedNotebook, makeNotebook, notebookWorkspace, runNotebook, streamText } from '../support/jupyter';

// A failing cell comes last in its notebook: tslab cancels the cells queued right after a failure.
const SYNC = [
  "import * as tracklab from 'tracklab';",
  // A caught one, printed by the user, looks the same.
  "try { tracklab.logParam('x', 1); } catch (e) { console.log(e); }",
  // Thrown synchronously, out of vm.runInThisContext.
  "const run = tracklab.startRun({ name: 'r' });\nrun.log({ acc: 0.5 }, 1.5);",
];
// Thrown from an awaited promise (top-level await): tslab prints it from another place.
const ASYNC = ["import * as tracklab from 'tracklab';", "await tracklab.getClient().getRun('nosuchrun');"];
// From the store, under a function of the cell: over ten frames of tracklab's code (Node keeps ten by default) sit above the cell's.
const NESTED = [
  "import * as tracklab from 'tracklab';",
  "async function load(id: string) {\n  return await tracklab.getClient().getRun(id);\n}\nawait load('nosuchrun');",
];
/** A cell frame as V8 writes it: `at evalmachine.<anonymous>:4:7`, or an awaited one, `at async load (evalmachine.<anonymous>:2:10)`. */
const CELL_FRAME = /\n {4}at (?:async )?(?:[\w.<>]+ \()?evalmachine\.<anonymous>:\d+:\d+\)?\n/;

describe('TracklabError in a notebook cell', () => {
  let dir: string;
  let sync: ExecutedNotebook;
  let awaited: ExecutedNotebook;
  let nested: ExecutedNotebook;

  before(async () => {
    dir = notebookWorkspace();
    const env = { TRACKLAB_HOME: path.join(dir, 'store') };
    [sync, awaited, nested] = await Promise.all([
      runNotebook(dir, 'sync.ipynb', makeNotebook(SYNC), { allowErrors: true, env }),
      runNotebook(dir, 'async.ipynb', makeNotebook(ASYNC), { allowErrors: true, env }),
      runNotebook(dir, 'nested.ipynb', makeNotebook(NESTED), { allowErrors: true, env }),
    ]);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const OWN_FRAME = /dist[/\\]src[/\\]|node_modules|node:|\^/;

  it('a thrown one shows its code, message and cell frames, none of tracklab and no excerpt of its code', () => {
    const cells = codeCells(sync.notebook);
    const text = streamText(cells[2], 'stderr');
    assert.match(text, /^TracklabError \[INVALID_PARAMETER_VALUE\]: Metric "acc" got step number 1\.5; steps must be integers\. Pass an integer step or leave it out\.\n/);
    assert.match(text, /\n {4}at evalmachine\.<anonymous>:\d+:\d+\n/);
    assert.doesNotMatch(text, OWN_FRAME);
    assert.doesNotMatch(text, /throw|code: /);
  });

  it('one from deep in the store, awaited in a function of the cell, shows the cell frames too', () => {
    const text = streamText(codeCells(nested.notebook)[1], 'stderr');
    assert.match(text, /^TracklabError \[RESOURCE_DOES_NOT_EXIST\]: No run with id "nosuchrun"\./);
    assert.match(text, /\n {4}at async load \(evalmachine\.<anonymous>:\d+:\d+\)\n/);
    assert.match(text, /\n {4}at async evalmachine\.<anonymous>:\d+:\d+\n/);
    assert.doesNotMatch(text, OWN_FRAME);
  });

  it('so does one rejected from an awaited call, and one the user catches and prints', () => {
    const text = streamText(codeCells(awaited.notebook)[1], 'stderr');
    assert.match(text, /^TracklabError \[RESOURCE_DOES_NOT_EXIST\]: No run with id "nosuchrun"\./);
    assert.match(text, CELL_FRAME);
    assert.doesNotMatch(text, OWN_FRAME);
    const caught = streamText(codeCells(sync.notebook)[1], 'stdout');
    assert.match(caught, /^TracklabError \[INVALID_STATE\]: No active run\./);
    assert.doesNotMatch(caught, OWN_FRAME);
  });

  it("a script keeps Node's display: the whole stack", async () => {
    const script = path.join(dir, 'script.js');
    fs.writeFileSync(script, "const t = require('tracklab');\nt.startRun({ name: 'r' }).log({ acc: 0.5 }, 1.5);\n");
    const { code, stderr } = await runNodeProcess([script], { TRACKLAB_HOME: path.join(dir, 'store') });
    assert.equal(code, 1);
    assert.match(stderr, /TracklabError: Metric "acc" got step number 1\.5/);
    assert.match(stderr, /at validateStep \(.*dist[/\\]src[/\\]validation\.js/);
    assert.match(stderr, /code: 'INVALID_PARAMETER_VALUE'/);
  });
});
