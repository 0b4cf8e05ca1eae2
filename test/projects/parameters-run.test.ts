import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { executeNotebook } from '../../src/projects/execute-notebook';
import { isCodeCell, type Notebook } from '../../src/projects/nbformat';
import { code, writeTempNotebook } from './notebook-fixtures';

const HOSTILE = `; rm -rf x; $(touch pwned) \`touch pwned2\` "double" 'single' \\ \${process.exit(9)} \u2028 done`;

function stdout(nb: Notebook): string[] {
  return nb.cells.map((c) => (isCodeCell(c) ? c.outputs.map((o) => (o.output_type === 'stream' && o.name === 'stdout' ? o.text : '')).join('') : ''));
}

function notebookWithDefaults(): string {
  return writeTempNotebook([
    code('const lr = 0.1;\nlet epochs = 3;\nconst label = "baseline";\nconst verbose = false;', ['parameters']),
    code('console.log(JSON.stringify({ lr: lr, epochs: epochs, label: label, verbose: verbose, types: [typeof lr, typeof epochs, typeof label, typeof verbose] }));'),
    code('let total = 0;\nfor (let i = 0; i < epochs; i++) total += lr;\nconsole.log(total.toFixed(2));'),
  ]);
}

test('injected parameters take effect in the real kernel; hostile strings arrive verbatim and execute nothing', async () => {
  const file = notebookWithDefaults();
  const dir = path.dirname(file);
  fs.mkdirSync(path.join(dir, 'x'));
  const result = await executeNotebook(file, { parameters: { lr: '0.5', epochs: '4', label: HOSTILE, verbose: 'true' } });
  assert.equal(result.ok, true, JSON.stringify(result.failedCell));
  const out = stdout(result.notebook);
  // cells: defaults, injected, print, loop
  assert.deepEqual(JSON.parse(out[2]!), { lr: 0.5, epochs: 4, label: HOSTILE, verbose: true, types: ['number', 'number', 'string', 'boolean'] });
  assert.equal(out[3], '2.00\n');
  assert.ok(fs.existsSync(path.join(dir, 'x')), '`rm -rf x` did not run');
  assert.ok(!fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(dir, 'pwned2')), 'no command substitution ran');
  assert.deepEqual((result.notebook.metadata['tracklab'] as { parameters: unknown }).parameters, { lr: 0.5, epochs: 4, label: HOSTILE, verbose: true });
});

test('the defaults apply when no parameters are given', async () => {
  const result = await executeNotebook(notebookWithDefaults());
  assert.equal(result.ok, true);
  assert.equal(JSON.parse(stdout(result.notebook)[1]!).label, 'baseline');
});

test('type mismatches are clear errors before any kernel starts, for both engines', async () => {
  const file = writeTempNotebook([
    code('const epochs = 5;\nconst label = "a";', ['parameters']),
    code('require("fs").writeFileSync("kernel-ran.txt", "yes");'),
  ]);
  for (const engine of ['native', 'nbclient'] as const) {
    await assert.rejects(
      executeNotebook(file, { engine, parameters: { epochs: 'abc' } }),
      (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /"epochs" must be a finite number .*got "abc"/.test(e.message),
    );
    await assert.rejects(executeNotebook(file, { engine, parameters: { batch: '3' } }), /Unknown parameter "batch"/);
  }
  assert.equal(fs.existsSync(path.join(path.dirname(file), 'kernel-ran.txt')), false, 'no cell ran');
});
