import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../tracking/client';
import { captureIo } from '../capture-io';
import { main } from '../main';

test('experiments create, rename, delete and restore, by name or id', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await main(['--home', home, 'experiments', ...args], io);
    return { code, ...io };
  };
  const names = async (...extra: string[]) => (JSON.parse((await run('--json', ...extra)).stdout) as { name: string; lifecycleStage: string }[])
    .map((e) => `${e.name}:${e.lifecycleStage}`).sort();

  const created = await run('create', 'mnist', '--description', 'baseline CNN');
  assert.equal(created.code, 0, created.stderr);
  const id = /\(id (\S+)\)/.exec(created.stdout)?.[1];
  assert.ok(id, created.stdout);
  assert.equal(created.stdout, `created experiment "mnist" (id ${id})\n`);
  const again = await run('create', 'mnist');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error \[RESOURCE_ALREADY_EXISTS\]/);

  assert.equal((await run('rename', 'mnist', 'mnist-cnn')).stdout, `renamed experiment ${id}: "mnist" -> "mnist-cnn"\n`);
  assert.deepEqual(await names(), ['mnist-cnn:active']);

  // A run in it is hidden with it, and back with it.
  const client = new TrackingClient({ home });
  await client.createRun({ experiment: 'mnist-cnn', name: 'r1' });
  await client.close();
  assert.match((await run('delete', id)).stdout, new RegExp(`^deleted experiment "mnist-cnn" \\(id ${id}\\)`));
  assert.deepEqual(await names(), []);
  assert.deepEqual(await names('--all'), ['mnist-cnn:deleted']);
  const runs = captureIo();
  assert.equal(await main(['--home', home, 'runs', '--json'], runs), 0);
  assert.deepEqual(JSON.parse(runs.stdout).runs, []);

  assert.equal((await run('restore', 'mnist-cnn')).stdout, `restored experiment "mnist-cnn" (id ${id})\n`);
  assert.deepEqual(await names(), ['mnist-cnn:active']);
  const back = captureIo();
  await main(['--home', home, 'runs', '--json'], back);
  assert.deepEqual(JSON.parse(back.stdout).runs.map((r: { info: { runName: string } }) => r.info.runName), ['r1']);

  const missing = await run('rename', 'mnist-cnn');
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'usage error: Missing ID|NAME and NEW_NAME. Usage: tracklab experiments rename ID|NAME NEW_NAME\n');
  const unknown = await run('delete', 'nope');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error \[RESOURCE_DOES_NOT_EXIST\]/);
});
