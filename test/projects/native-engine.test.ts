import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { executeNotebook } from '../../src/projects/execute-notebook';
import { isCodeCell, writeNotebook, type CodeCell, type Notebook } from '../../src/projects/nbformat';
import { whenFileWritten } from '../support/jupyter';
import { code, markdown, VALIDATE_PY, writeTempNotebook } from './notebook-fixtures';

function codeCell(nb: Notebook, index: number): CodeCell {
  const cell = nb.cells[index];
  assert.ok(cell && isCodeCell(cell), `cell ${index} is a code cell`);
  return cell;
}

test('the native engine runs a notebook: streams, HTML display, updated display, last value, errors; the result validates', async () => {
  const file = writeTempNotebook([
    markdown('# Demo'),
    code('import * as tslab from "tslab";\nconsole.log("cwd=" + process.cwd());\nconsole.log("second line");'),
    code('tslab.display.html("<b>bold</b>");'),
    code('const d = tslab.newDisplay();\nd.text("first");\nd.text("second");'),
    code('const epochs = 3;\nepochs * 2'),
    code('   '),
    code('console.error("careful");\nthrow new RangeError("bad value " + epochs);'),
    code('console.log("after the error");'),
  ]);
  const progress: [number, number, string | undefined][] = [];
  const result = await executeNotebook(file, { allowErrors: true, onProgress: (done, total, cell) => progress.push([done, total, cell?.id]) });
  const nb = result.notebook;

  assert.equal(result.engine, 'native');
  assert.equal(result.ok, false, 'a cell failed, even though the run went on');
  assert.equal(result.failures.length, 1);
  assert.deepEqual(result.failedCell, { index: 6, id: nb.cells[6]!.id, executionCount: 5, ename: 'RangeError', evalue: 'bad value 3' });

  assert.deepEqual(codeCell(nb, 1).outputs, [{ output_type: 'stream', name: 'stdout', text: `cwd=${fs.realpathSync(path.dirname(file))}\nsecond line\n` }]);
  assert.deepEqual(codeCell(nb, 2).outputs, [{ output_type: 'display_data', data: { 'text/html': '<b>bold</b>' }, metadata: {} }]);
  assert.deepEqual(codeCell(nb, 3).outputs, [{ output_type: 'display_data', data: { 'text/plain': 'second' }, metadata: {} }], 'update_display_data replaced the first value');
  // tslab prints a cell's last value to stdout; it sends no execute_result.
  assert.deepEqual(codeCell(nb, 4).outputs, [{ output_type: 'stream', name: 'stdout', text: '6\n' }]);
  assert.equal(codeCell(nb, 5).execution_count, null, 'blank cells are skipped, as nbclient does');
  const failed = codeCell(nb, 6).outputs;
  assert.equal(failed.length, 1);
  assert.ok(failed[0]!.output_type === 'stream' && failed[0]!.name === 'stderr');
  assert.match(failed[0]!.text, /^careful\n[\s\S]*RangeError: bad value 3/);
  assert.deepEqual(codeCell(nb, 7).outputs, [{ output_type: 'stream', name: 'stdout', text: 'after the error\n' }], 'with allowErrors the next cell still runs');
  assert.deepEqual([1, 2, 3, 4, 6, 7].map((i) => codeCell(nb, i).execution_count), [1, 2, 3, 4, 5, 6]);

  assert.deepEqual(progress.map(([done, total]) => [done, total]), [[0, 6], [1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]]);
  assert.deepEqual(progress.slice(0, 6).map(([, , id]) => id), [1, 2, 3, 4, 6, 7].map((i) => nb.cells[i]!.id));

  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata['kernelspec'], { name: 'tslab', display_name: 'TypeScript', language: 'typescript' });
  assert.equal((nb.metadata['language_info'] as { name: string }).name, 'typescript');
  const out = path.join(path.dirname(file), 'executed.ipynb');
  writeNotebook(out, nb);
  const py = spawnSync('/usr/bin/python3', ['-c', VALIDATE_PY, out], { encoding: 'utf8' });
  assert.equal(py.stdout.trim(), 'valid', py.stderr);
});

test('without allowErrors the run stops at the first failing cell and names it; a TypeScript error is named too', async () => {
  const file = writeTempNotebook([
    code('const n: number = 1;'),
    code('const s: number = "text";'),
    code('require("fs").writeFileSync("ran.txt", "x")'),
  ]);
  const result = await executeNotebook(file);
  assert.equal(result.ok, false);
  assert.equal(result.failedCell?.index, 1);
  assert.equal(result.failedCell?.ename, 'TSError');
  assert.match(result.failedCell!.evalue, /Type 'string' is not assignable to type 'number'/);
  assert.equal(codeCell(result.notebook, 2).execution_count, null);
  assert.deepEqual(codeCell(result.notebook, 2).outputs, []);
  assert.equal(fs.existsSync(path.join(path.dirname(file), 'ran.txt')), false, 'cells after the failure did not run');
});

test('aborting the signal interrupts a long-running cell and the result says interrupted', async () => {
  const file = writeTempNotebook([
    code('console.log("started")'),
    code('require("fs").writeFileSync("looping", "yes");\nconst until = Date.now() + 600_000;\nwhile (Date.now() < until) {}'),
    code('console.log("never")'),
  ]);
  const controller = new AbortController();
  // Aborted once the long cell says it is looping, not after a guessed delay.
  const looping = whenFileWritten(path.join(path.dirname(file), 'looping')).then(() => controller.abort());
  const result = await executeNotebook(file, { signal: controller.signal });
  await looping;
  assert.equal(result.interrupted, true);
  assert.equal(result.ok, false);
  assert.equal(result.failedCell?.index, 1);
  assert.match(result.failedCell!.evalue, /interrupted/i);
  assert.deepEqual(codeCell(result.notebook, 2).outputs, []);
});

test('a cell running past timeoutMs is interrupted and reported as a timeout', async () => {
  const file = writeTempNotebook([code('await new Promise((resolve) => setTimeout(resolve, 30000));')]);
  const result = await executeNotebook(file, { timeoutMs: 500 });
  assert.equal(result.timedOut, true);
  assert.equal(result.ok, false);
  assert.equal(result.failedCell?.ename, 'CellTimeoutError');
});

test('a kernel that dies mid-run is a failed cell (DeadKernelError), not a hang', async () => {
  const file = writeTempNotebook([code('process.exit(7)'), code('console.log("never")')]);
  const result = await executeNotebook(file);
  assert.equal(result.ok, false);
  assert.equal(result.failedCell?.ename, 'DeadKernelError');
  assert.match(result.failedCell!.evalue, /exited with code 7/);
});

test('a cell that ignores the interrupt loses its kernel after a grace period and is still reported as timed out', async () => {
  // The busy loop runs in a timer callback, outside tslab's breakOnSigint, so SIGINT cannot stop it.
  const file = writeTempNotebook([code('await new Promise<void>((resolve) => setTimeout(() => { const until = Date.now() + 60000; while (Date.now() < until) {} resolve(); }, 0));')]);
  const result = await executeNotebook(file, { timeoutMs: 500 });
  assert.equal(result.timedOut, true);
  assert.equal(result.failedCell?.ename, 'CellTimeoutError');
  assert.match(result.failedCell!.evalue, /ignored the interrupt, so the kernel was stopped/);
});
