import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { runProject } from '../../src/projects/run-project';
import { TrackingClient } from '../../src/tracking/client';
import { projectWithNotebook, tempDir } from './runner-fixtures';

const SCRIPT = `
const fs = require('node:fs');
const tracklab = require('tracklab');
const args = process.argv.slice(2);
fs.writeFileSync('seen.json', JSON.stringify({ args, env: process.env.TRACKLAB_PARAM_LR, parent: process.env.TRACKLAB_PARENT_RUN_ID }));
const lr = Number(args[args.indexOf('--lr') + 1]);
const epochs = Number(args[args.indexOf('--epochs') + 1]);
if (args.includes('--boom') && args[args.indexOf('--boom') + 1] === 'true') { console.error('about to fail'); console.error('Error: boom at lr=' + lr); process.exit(3); }
tracklab.withRun({ params: { lr: lr, epochs: epochs } }, (run) => { run.log({ acc: lr * epochs }); });
`;

const MANIFEST = `
name: demo
entry_points:
  train:
    script: train.js
    parameters:
      lr: { type: float, default: 0.1 }
      epochs: { type: int, default: 5 }
      data: { type: path }
      note: { type: string, default: plain }
      boom: { type: bool, default: false }
  nb:
    notebook: train.ipynb
    parameters:
      lr: float
`;

function project(manifest = MANIFEST): string {
  const { dir } = projectWithNotebook({ 'tracklab.yaml': manifest, 'train.js': SCRIPT, 'data.csv': 'x,y\n1,2\n' });
  return dir;
}

async function rejectsBeforeRunning(dir: string, options: Omit<Parameters<typeof runProject>[0], 'target'>, pattern: RegExp): Promise<void> {
  const client = new TrackingClient({ home: tempDir() });
  try {
    await assert.rejects(runProject({ ...options, target: dir, client, progress: { write: () => undefined } }),
      (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && pattern.test(e.message));
    assert.equal((await client.searchRuns()).runs.length, 0, 'no run was created');
    assert.equal(fs.existsSync(path.join(dir, 'seen.json')), false, 'the script never ran');
  } finally {
    await client.close();
  }
}

test('manifest validation: every problem is a clear INVALID_PARAMETER_VALUE before anything runs', async () => {
  const dir = project();
  const data = [`data=${path.join(dir, 'data.csv')}`];
  const P = (...kv: string[]) => Object.fromEntries(kv.map((s) => s.split('=')).map(([k, v]) => [k!, v!.split(',')]));
  await rejectsBeforeRunning(dir, { entryPoint: 'deploy', parameters: P(...data) }, /Unknown entry point "deploy" in project demo; it has train, nb/);
  await rejectsBeforeRunning(dir, { parameters: P(...data) }, /several entry points \(train, nb\); pick one with -e NAME/);
  await rejectsBeforeRunning(dir, { entryPoint: 'train' }, /needs "data" \(no default in tracklab\.yaml\); pass -P data=\.\.\./);
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P(...data, 'epochs=1.5') }, /"epochs" is declared int .* must be a whole number like 5; got "1\.5"/);
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P(...data, 'boom=maybe') }, /"boom" is declared bool .* must be true or false; got "maybe"/);
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P(...data, 'lr=fast') }, /"lr" is declared float/);
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P('data=no/such.csv') }, /"data" is a path, and .*no\/such\.csv does not exist/);
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P(...data, 'batch=3') }, /Unknown parameter "batch" for entry point train; it declares lr, epochs, data, note, boom/);
  // A sweep is checked point by point: the bad value is the last one.
  await rejectsBeforeRunning(dir, { entryPoint: 'train', parameters: P(...data, 'epochs=1,2,x') }, /got "x"/);
  // The notebook entry point: a parameter its parameters cell does not declare.
  await rejectsBeforeRunning(project(MANIFEST.replace('lr: float', 'lr: float\n      depth: { type: int, default: 2 }')), { entryPoint: 'nb', parameters: P('lr=0.2') }, /Unknown parameter "depth": the parameters cell declares lr, epochs, label, fail/);
  await rejectsBeforeRunning(project('name: x\nentry_points:\n  a:\n    script: ../evil.js\n'), {}, /must be a relative path inside the project/);
  await rejectsBeforeRunning(project('name: x\nentry_points:\n  a:\n    script: train.js\n    parameters:\n      p: { type: decimal }\n'), {}, /type "decimal" is not one of string, float, int, bool, path/);
  await rejectsBeforeRunning(project('base: &b { script: train.js }\nentry_points:\n  a: *b\n'), {}, /alias/);
  await rejectsBeforeRunning(project('name: x\nentry_points:\n  a:\n    notebook: train.ipynb\n    script: train.js\n'), {}, /exactly one of notebook: or script:/);
});

test('a script entry point runs with typed params as --key value and TRACKLAB_PARAM_*, its runs nest under the project run; exit codes decide the status', async () => {
  const dir = project();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const output: string[] = [];
    const result = await runProject({
      target: dir, entryPoint: 'train', client, parameters: { data: [path.join(dir, 'data.csv')], lr: ['0.25'], note: ['a b; $(x)'] },
      progress: { write: (t) => { output.push(t); } },
    });
    assert.equal(result.status, 'FINISHED', output.join(''));
    const seen = JSON.parse(fs.readFileSync(path.join(dir, 'seen.json'), 'utf8')) as { args: string[]; env: string; parent: string };
    assert.deepEqual(seen.args, ['--lr', '0.25', '--epochs', '5', '--data', path.join(dir, 'data.csv'), '--note', 'a b; $(x)', '--boom', 'false']);
    assert.equal(seen.env, '0.25');
    assert.equal(seen.parent, result.runId);
    const project_ = await client.getRun(result.runId);
    assert.equal(project_.data.params['epochs'], '5');
    assert.equal(project_.data.tags['tracklab.project.entry_point'], 'train');
    const { runs } = await client.searchRuns({ filter: `attributes.parent_run_id = '${result.runId}'` });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.data.metrics['acc']?.last, 0.25 * 5);
  } finally {
    await client.close();
  }
});

test('a failing script ends FAILED with its exit code and last stderr line', async () => {
  const dir = project();
  const client = new TrackingClient({ home: tempDir() });
  try {
    const result = await runProject({ target: dir, entryPoint: 'train', client, parameters: { data: [path.join(dir, 'data.csv')], boom: ['yes'] }, progress: { write: () => undefined } });
    assert.equal(result.status, 'FAILED');
    assert.equal((await client.getRun(result.runId)).info.statusMessage, 'train.js exited with code 3: Error: boom at lr=0.1');
  } finally {
    await client.close();
  }
});
