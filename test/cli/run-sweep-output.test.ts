/**
 * `tracklab run ... -P k=a,b --output`: a sweep writes one executed notebook
 * per point into a folder, as the help says, so a path ending in .ipynb is
 * refused before anything runs (it used to become a folder named x.ipynb).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { runCli } from '../support/cli-io';
import { projectWithNotebook, tempDir } from '../projects/runner-fixtures';

test('a sweep refuses --output x.ipynb as INVALID_PARAMETER_VALUE, saying to pass a folder; nothing runs or is written', async () => {
  const { dir, notebook } = projectWithNotebook();
  const home = tempDir();
  const output = path.join(dir, 'sweep.ipynb');
  const out = await runCli(home, ['run', notebook, '-P', 'lr=0.1,0.5', '--output', output]);
  assert.equal(out.stderr, `error [INVALID_PARAMETER_VALUE]: --output ${JSON.stringify(output)} names a notebook, but a sweep writes one executed notebook `
    + `per point (<name>-1.ipynb, <name>-2.ipynb, ...) into a folder. Pass a folder instead, e.g. --output ${JSON.stringify(path.join(dir, 'sweep'))}.\n`);
  assert.equal(out.stdout, '');
  assert.equal(out.code, 1);
  assert.equal(fs.existsSync(output), false, 'no folder named sweep.ipynb');
  const client = new TrackingClient({ home });
  assert.deepEqual((await client.searchRuns({})).runs, [], 'no run was created');
  await client.close();
});

test('a sweep writes <name>-<point>.ipynb into the --output folder; the help says --output is a folder for a sweep', { timeout: 180_000 }, async () => {
  const { dir, notebook } = projectWithNotebook();
  const home = tempDir();
  const output = path.join(dir, 'sweep-out');
  const out = await runCli(home, ['run', notebook, '-P', 'lr=0.1,0.5', '--output', output]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(fs.readdirSync(output).sort(), ['train-1.ipynb', 'train-2.ipynb']);
  const help = await runCli(home, ['run', '--help']);
  assert.match(help.stdout.replace(/\s+/g, ' '), /--output FILE\|DIR\].* --output: the executed notebook, or for a sweep a folder \(<name>-<point>\.ipynb each\)/);
});
