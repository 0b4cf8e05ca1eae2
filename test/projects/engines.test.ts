import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { executeNotebook } from '../../src/projects/execute-notebook';
import { isCodeCell, writeNotebook, type Notebook, type Output } from '../../src/projects/nbformat';
import { bindRaceInjection } from '../support/bind-race';
import { code, markdown, VALIDATE_PY, writeTempNotebook } from './notebook-fixtures';

/** What must match across engines: per code cell, output types, stream names and text, mimetypes and their content. */
function shape(nb: Notebook): unknown[] {
  return nb.cells.map((c) => {
    if (!isCodeCell(c)) return { type: c.cell_type, source: c.source };
    return {
      source: c.source,
      outputs: c.outputs.map((o: Output) =>
        o.output_type === 'stream'
          ? { type: 'stream', name: o.name, text: o.text }
          : o.output_type === 'error'
            ? { type: 'error', ename: o.ename, evalue: o.evalue }
            : { type: o.output_type, mimetypes: Object.keys(o.data).sort(), data: o.data },
      ),
    };
  });
}

function validate(nb: Notebook, file: string): void {
  writeNotebook(file, nb);
  const py = spawnSync('/usr/bin/python3', ['-c', VALIDATE_PY, file], { encoding: 'utf8' });
  assert.equal(py.stdout.trim(), 'valid', py.stderr);
}

test('native and nbclient engines give equivalent notebooks, cell by cell', async () => {
  const file = writeTempNotebook([
    markdown('# Same notebook, two engines'),
    code('const lr = 0.1;\nconst epochs = 4;', ['parameters']),
    code('import * as tslab from "tslab";\nconsole.log("lr", lr);\nconsole.log("cwd", process.cwd());'),
    code('tslab.display.html("<i>html</i>");\ntslab.display.markdown("**md**");'),
    code('const view = tslab.newDisplay();\nview.text("step 0");\nfor (let i = 1; i <= epochs; i++) view.text(`step ${i}`);'),
    code('console.error("to stderr");\nconsole.log("to stdout");'),
    // tslab 1.0.22 does not rewrite shorthand properties (`{ lr }` fails with "lr is not defined"), so spell them out.
    code('({ lr: lr, epochs: epochs })'),
  ]);
  const options = { parameters: { lr: '0.25', epochs: 2 } };
  // Independent kernels, so the engines run side by side.
  const [native, nbclient] = await Promise.all([
    executeNotebook(file, { ...options, engine: 'native' }),
    executeNotebook(file, { ...options, engine: 'nbclient' }),
  ]);
  assert.equal(native.ok, true);
  assert.equal(nbclient.ok, true);
  assert.equal(nbclient.engine, 'nbclient');
  assert.deepEqual(shape(native.notebook), shape(nbclient.notebook));
  // Guard against two equally empty results.
  const outputs = native.notebook.cells.flatMap((c) => (isCodeCell(c) ? c.outputs : []));
  assert.ok(outputs.some((o) => o.output_type === 'stream' && o.text.includes('lr 0.25')), 'the injected value was used');
  assert.ok(outputs.some((o) => o.output_type === 'display_data' && o.data['text/plain'] === 'step 2'), 'the live display ended at its last update');
  assert.ok(outputs.some((o) => o.output_type === 'stream' && o.text.includes(`cwd ${fs.realpathSync(path.dirname(file))}`)), 'both run in the notebook folder');
  assert.deepEqual(native.notebook.metadata['language_info'], nbclient.notebook.metadata['language_info']);
  validate(native.notebook, path.join(path.dirname(file), 'native.ipynb'));
  validate(nbclient.notebook, path.join(path.dirname(file), 'nbclient.ipynb'));
});

test('both engines stop at the same failing cell and name it', async () => {
  const file = writeTempNotebook([code('console.log("ok")'), code('throw new Error("stop here")'), code('console.log("not reached")')]);
  const [native, nbclient] = await Promise.all([executeNotebook(file, { engine: 'native' }), executeNotebook(file, { engine: 'nbclient' })]);
  for (const result of [native, nbclient]) {
    assert.equal(result.ok, false, result.engine);
    assert.equal(result.failedCell?.index, 1, result.engine);
    assert.equal(result.failedCell?.id, result.notebook.cells[1]!.id, result.engine);
  }
  assert.deepEqual([native.failedCell?.ename, native.failedCell?.evalue], ['Error', 'stop here']);
});

test('both engines run a notebook whose kernel had a read refused while binding (a request came too early)', async () => {
  // Without kernel-preload.ts in their kernels, tslab's shell loop ends there and no cell ever runs.
  for (const engine of ['native', 'nbclient'] as const) {
    const race = bindRaceInjection();
    const file = writeTempNotebook([code('console.log(6 * 7)')]);
    const result = await executeNotebook(file, { engine, env: race.env });
    assert.ok(race.met(), `${engine}: the kernel met the refused read`);
    assert.equal(result.ok, true, engine);
    assert.deepEqual(shape(result.notebook), [{ source: 'console.log(6 * 7)', outputs: [{ type: 'stream', name: 'stdout', text: '42\n' }] }], engine);
  }
});
