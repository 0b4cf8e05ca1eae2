import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { TrackingClient } from '../tracking/client';
import { main } from './main';
import { captureIo } from '../../test/support/cli-io';

async function seeded(): Promise<{ home: string; ids: string[] }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  const ids: string[] = [];
  for (const [i, lr] of [0.1, 0.01, 0.001].entries()) {
    const info = await client.createRun({ experiment: 'cli', name: `run-${i}`, params: { lr, opt: i ? 'sgd' : 'adam' } });
    for (let s = 0; s < 10; s++) client.logMetric(info.runId, 'acc', (s + 1) * lr, s);
    client.logMetric(info.runId, 'odd', i === 1 ? NaN : Infinity, 0);
    await client.setTerminated(info.runId);
    ids.push(info.runId);
  }
  await client.close();
  return { home, ids };
}

test('runs lists, filters and orders, with --json for scripts', async () => {
  const { home, ids } = await seeded();
  const io = captureIo();
  // run-0: adam, acc 1.0; run-1: sgd, lr 0.01, acc 0.1; run-2: sgd, lr 0.001, acc 0.01. Each side of the OR
  // matches a different run and the third matches neither, so filtering (not listing all) is what passes.
  assert.equal(await main(['--home', home, 'runs', '-e', 'cli', '--filter', "params.lr = '0.01' OR metrics.acc > 0.5", '--order-by', 'metrics.acc DESC', '--json'], io), 0);
  const listed = JSON.parse(io.stdout).runs.map((r: { info: { runId: string } }) => r.info.runId);
  assert.deepEqual(listed, [ids[0], ids[1]]);
  const ascending = captureIo();
  assert.equal(await main(['--home', home, 'runs', '-e', 'cli', '--filter', "params.opt = 'sgd'", '--order-by', 'metrics.acc ASC', '--json'], ascending), 0);
  assert.deepEqual(JSON.parse(ascending.stdout).runs.map((r: { info: { runId: string } }) => r.info.runId), [ids[2], ids[1]]);

  const table = captureIo();
  assert.equal(await main(['runs', '--home', home], table), 0);
  assert.match(table.stdout, /run-0 +cli +FINISHED/, "without -e, a column names the experiment");
  assert.match(table.stdout, /metrics\.acc/);
});

test('run show prints params, metrics with NaN and Inf, and tags', async () => {
  const { home, ids } = await seeded();
  const io = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', ids[1]], io), 0);
  assert.match(io.stdout, /run-1 +\(/);
  assert.match(io.stdout, /lr +0\.01/);
  assert.match(io.stdout, /odd +NaN/);
  const json = captureIo();
  await main(['--home', home, 'run', 'show', ids[0], '--json'], json);
  assert.equal(JSON.parse(json.stdout).data.metrics.odd.last, 'Infinity');
});

test('run show prints the note, the datasets and provenance grouped, with inputs in --json', async () => {
  const { home, ids } = await seeded();
  const client = new TrackingClient({ home });
  const deps = { dependencies: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pkg-${i}`, `^${i}.0.0`])), devDependencies: { typescript: '5.9.0' } };
  await client.setTags(ids[2], {
    'tracklab.note': 'Baseline with the small lr.\nCompare against run-0.',
    'tracklab.git.commit': '0123456789abcdef',
    'tracklab.version.node': 'v20.0.0',
    'tracklab.dependencies': JSON.stringify(deps),
    team: 'vision',
  });
  const train = await client.logInput(ids[2], [{ x: 1, y: 0 }, { x: 2, y: 1 }], { name: 'toy', context: 'training', source: 'data/toy.json' });
  const valid = await client.logInput(ids[2], [{ x: 3, y: 1 }], { name: 'toy-val', context: 'validation' });
  await client.close();

  const io = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', ids[2]], io), 0);
  const out = io.stdout;
  assert.match(out, /\nnote\n  Baseline with the small lr\.\n  Compare against run-0\.\n/);
  assert.ok(out.indexOf('note') < out.indexOf('params'), 'the note comes right under the header');
  assert.match(out, new RegExp(`\ndatasets\nname +digest +context +rows +source\n[- ]+\ntoy +${train.dataset.digest.slice(0, 12)} +training +2 +data/toy\.json\n`));
  assert.match(out, new RegExp(`toy-val +${valid.dataset.digest.slice(0, 12)} +validation +1 +in-memory rows`));
  const provenance = out.slice(out.indexOf('\nprovenance\n'), out.indexOf('\ntags\n'));
  assert.match(provenance, /tracklab\.git\.commit +0123456789abcdef[\s\S]*tracklab\.version\.node +v20\.0\.0[\s\S]*tracklab\.dependencies +31 packages \(see --json\)/);
  assert.doesNotMatch(out, /pkg-0/, 'the dependencies JSON stays out of the table');
  const tags = out.slice(out.indexOf('\ntags\n'));
  assert.match(tags, /team +vision/);
  assert.doesNotMatch(tags, /tracklab\.(note|git|version|dependencies)/);

  const json = captureIo();
  await main(['--home', home, 'run', 'show', ids[2], '--json'], json);
  const shown = JSON.parse(json.stdout);
  assert.deepEqual(shown.inputs.map((i: { dataset: { name: string; digest: string }; context: string }) => [i.dataset.name, i.dataset.digest, i.context]),
    [['toy', train.dataset.digest, 'training'], ['toy-val', valid.dataset.digest, 'validation']]);
  assert.deepEqual(JSON.parse(shown.data.tags['tracklab.dependencies']), deps);
  assert.equal(shown.data.tags['tracklab.note'], 'Baseline with the small lr.\nCompare against run-0.');

  const bare = captureIo();
  await main(['--home', home, 'run', 'show', ids[0], '--json'], bare);
  assert.deepEqual(JSON.parse(bare.stdout).inputs, []);
});

test('metrics exports csv, json and an Arrow file', async () => {
  const { home, ids } = await seeded();
  const csv = captureIo();
  assert.equal(await main(['--home', home, 'metrics', ids[0], 'acc'], csv), 0);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'run_id,key,step,timestamp,value');
  assert.equal(lines.length, 11);
  assert.match(lines[10], new RegExp(`^${ids[0]},acc,9,\\d+,1(\\.0+)?$`));

  const json = captureIo();
  await main(['--home', home, 'metrics', ids[1], 'odd', '--format', 'json'], json);
  assert.equal(JSON.parse(json.stdout)[0].value, 'NaN');

  const file = path.join(home, 'all.arrow');
  assert.equal(await main(['--home', home, 'export', '--format', 'arrow', '-e', 'cli', '--output', file], captureIo()), 0);
  const table = tableFromIPC(fs.readFileSync(file));
  assert.equal(table.numRows, 33);
});

test('bad input exits 1 or 2 with a one-line reason, never a stack', async () => {
  const { home } = await seeded();
  const badFilter = captureIo();
  assert.equal(await main(['--home', home, 'runs', '--filter', 'metrics.acc >'], badFilter), 1);
  assert.match(badFilter.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Invalid filter at position 13/);
  assert.doesNotMatch(badFilter.stderr, /\n\s+at /);

  const missing = captureIo();
  assert.equal(await main(['--home', home, 'run', 'show', 'nope'], missing), 1);
  assert.match(missing.stderr, /RESOURCE_DOES_NOT_EXIST/);

  const usage = captureIo();
  assert.equal(await main(['--home', home, 'metrics', 'x', '--format', 'xml'], usage), 2);
  assert.match(usage.stderr, /--format must be one of csv, json, arrow/);
  assert.equal(await main(['--home', home, 'runs', '--nope'], captureIo()), 2);
  assert.equal(await main(['frobnicate'], captureIo()), 2);
});
