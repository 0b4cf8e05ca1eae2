/**
 * A kernel registered by `tslab install`, as a user's Jupyter runs it (no
 * preload): once a cell has loaded tracklab, a cell that prints in a tight
 * loop keeps all its output and answers. tslab sends without waiting for the
 * previous send; zeromq refuses the overlapping ones, and the lost `idle`
 * left the cell running forever (src/notebook/kernel-sockets.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeCells, makeNotebook, notebookWorkspace, runNotebook, streamText } from '../support/jupyter';

const LINES = 800;

test('after tracklab loads in a kernel as tslab install registers it, a cell printing in a tight loop keeps every line and answers', async () => {
  const dir = notebookWorkspace();
  const notebook = makeNotebook([
    "import * as tracklab from 'tracklab';",
    `for (let i = 0; i < ${LINES}; i++) process.stdout.write(\`line \${i}\\n\`);`,
    "console.log('after');",
  ]);
  const { notebook: executed, exitCode, log } = await runNotebook(dir, 'burst.ipynb', notebook, { kernelAsInstalled: true, timeoutSec: 60 });
  assert.equal(exitCode, 0, log);
  const cells = codeCells(executed);
  assert.equal(streamText(cells[1]!, 'stdout'), Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join(''));
  assert.equal(streamText(cells[2]!, 'stdout'), 'after\n');
});
