import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findOnPath } from '../../src/projects/nbclient-engine';
import { code, writeTempNotebook } from './notebook-fixtures';

// Runs in a child whose PATH holds only `node` and node_modules/.bin: no jupyter, no python.
const CHILD = `
const [modulePath, notebook] = process.argv.slice(1);
const { executeNotebook } = require(modulePath);
(async () => {
  const native = await executeNotebook(notebook, { parameters: { greeting: 'hi from a PATH without jupyter' } });
  let nbclientError = null;
  try {
    await executeNotebook(notebook, { engine: 'nbclient' });
  } catch (error) {
    nbclientError = { code: error.code, message: error.message };
  }
  process.stdout.write(JSON.stringify({ ok: native.ok, failedCell: native.failedCell, cells: native.notebook.cells, nbclientError }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

test('with no jupyter on PATH the native engine still runs; the nbclient engine says what is missing', () => {
  const root = process.cwd();
  const binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-bin-'));
  fs.symlinkSync(process.execPath, path.join(binDir, 'node'));
  const pathValue = [binDir, path.join(root, 'node_modules', '.bin')].join(path.delimiter);
  assert.equal(findOnPath('jupyter', pathValue), undefined, 'the restricted PATH really has no jupyter');
  assert.equal(findOnPath('python3', pathValue), undefined);

  const file = writeTempNotebook([
    code('const greeting = "default";', ['parameters']),
    code('console.log(greeting);'),
    code('const probe = require("child_process").spawnSync("jupyter", ["--version"]);\nconsole.log("jupyter:", probe.error ? probe.error.code : "found");'),
  ]);
  // Source under tsx (`npx tsx --test`), compiled JS under `npm test`.
  const fromSource = __filename.endsWith('.ts');
  const modulePath = path.join(__dirname, '..', '..', 'src', 'projects', 'execute-notebook');
  const args = [...(fromSource ? ['--import', 'tsx'] : []), '-e', CHILD, modulePath, file];
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    env: { PATH: pathValue, HOME: path.dirname(file) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout);
  assert.equal(result.ok, true, JSON.stringify(result.failedCell));
  const texts = result.cells.map((c: { outputs?: { text?: string }[] }) => (c.outputs ?? []).map((o) => o.text).join(''));
  assert.equal(texts[2], 'hi from a PATH without jupyter\n');
  assert.equal(texts[3], 'jupyter: ENOENT\n', 'the kernel itself could not find jupyter either');
  assert.equal(result.nbclientError.code, 'INVALID_STATE');
  assert.match(result.nbclientError.message, /no `jupyter` on PATH.*native engine/);
});
