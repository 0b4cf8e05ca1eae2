/**
 * package.json's `main` is src/entry.ts, which loads most modules on first
 * use, while `types` stays src/index.ts's .d.ts. These hold the two equal:
 * the same export names with the same values, nothing more, and a cold
 * require that leaves the lazy parts unloaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');

test('package.json main is the lazy entry and types are index.ts\'s', () => {
  const pkg = require(path.join(repo, 'package.json')) as { main: string; types: string };
  assert.equal(pkg.main, 'dist/src/entry.js');
  assert.equal(pkg.types, 'dist/src/index.d.ts');
});

test('the entry exports exactly what index.ts exports, with the same values', () => {
  const entry = require(repo) as Record<string, unknown>;
  const index = require(path.join(repo, 'dist', 'src', 'index.js')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(entry).sort(), Object.keys(index).sort());
  for (const name of Object.keys(index)) assert.equal(entry[name], index[name], `export ${name}`);
});

test('a cold require loads the tracking core only; a lazy export loads its module and the registry hook', () => {
  const script = `
    const before = new Set(Object.keys(require.cache));
    const t = require(${JSON.stringify(repo)});
    const loaded = (part) => Object.keys(require.cache).some((f) => !before.has(f) && f.includes('/dist/src/' + part));
    const cold = ['models/', 'registry/', 'show/', 'views/', 'notebook/autolog', 'autolog/', 'evaluate/', 'serving/', 'projects/', 'server/', 'ui/', 'search/filter-parser', 'tracking/worker-store', 'provenance/git-state']
      .filter(loaded);
    typeof t.loadModel;
    console.log(JSON.stringify({ cold, startRun: typeof t.startRun, models: loaded('models/load-model'), registry: loaded('registry/default-registry') }));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TRACKLAB_HOME: '' } });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout.trim()), { cold: [], startRun: 'function', models: true, registry: true });
});

test('ESM named imports of the lazy exports work (Node finds their names statically)', () => {
  const script = `import { autolog, loadModel, registry, startRun } from ${JSON.stringify(path.join(repo, 'dist', 'src', 'entry.js'))};
    console.log([autolog, loadModel, startRun].map((f) => typeof f).join(','), typeof registry);`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim(), 'function,function,function object');
});

test('in a tslab kernel the entry loads what index.ts installs there: the notebook host and failing-cell endings', () => {
  // __tslab__ with exports is how src/notebook/kernel.ts recognises a kernel; the real kernel runs in test/notebook.
  const script = `
    globalThis.__tslab__ = { exports: {} };
    require(${JSON.stringify(repo)});
    const loaded = (part) => Object.keys(require.cache).some((f) => f.includes('/dist/src/' + part));
    console.log(JSON.stringify([loaded('notebook/autolog.js'), loaded('notebook/kernel-host.js'), loaded('notebook/cell-runs.js')]));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TRACKLAB_HOME: '' } });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout.trim().split('\n').pop()!), [true, true, true]);
});
