/**
 * README claims a new user tripped over, run as written: the js_function
 * example, exportBest without an experiment, the setup lines, and where the
 * store is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { notebookWorkspace, repoRoot } from '../support/jupyter';

const README = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');

/** The fenced block of `lang` that contains `marker`. */
function block(lang: string, marker: string): string {
  const found = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!).find((b) => b.includes(marker));
  assert.ok(found, `a ${lang} block with ${marker}`);
  return found;
}

test('setup needs no sudo, installs Chromium, and says how to run the classic Notebook as root', () => {
  const setup = block('sh', 'apt-get install');
  const apt = setup.split('\n').find((l) => l.includes('apt-get install'))!;
  assert.match(apt, /^apt-get install -y /, 'no sudo: CI and containers run as root without it');
  for (const pkg of ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'jupyter-notebook', 'chromium']) assert.ok(apt.split(/\s+/).includes(pkg), pkg);
  assert.match(block('sh', '--allow-root'), /^PATH=\$PWD\/node_modules\/.bin:\$PATH jupyter-notebook --allow-root/m);
});

test('the js_function example logs a plain { predict } object; exportBest without an experiment finds it', () => {
  const dir = notebookWorkspace();
  const snippet = block('ts', "code: './model.js'");
  // The first line is the file the example asks for.
  const [fileLine, ...code] = snippet.trim().split('\n');
  fs.writeFileSync(path.join(dir, 'model.js'), fileLine!.replace(/^\/\/ model\.js: /, ''));
  fs.writeFileSync(path.join(dir, 'example.cts'), [
    "import * as tracklab from 'tracklab';",
    '(async () => {',
    "  tracklab.configure({ experiment: 'readme' });",
    '  const run = tracklab.startRun();',
    '  run.log({ val_loss: 0.25 });',
    ...code,
    '  await run.end();',
    "  const best = await tracklab.exportBest({ metric: 'val_loss', mode: 'min', name: 'linear', display: false });",
    "  const loaded = await tracklab.loadModel('models:/linear@champion');",
    '  console.log(JSON.stringify({ version: best.version, runId: best.runId === run.id, prediction: await loaded.predict([[2, 4], [4, 0]]) }));',
    '})();',
  ].join('\n'));
  const tsx = path.join(repoRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(process.execPath, [tsx, 'example.cts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TRACKLAB_HOME: '' } });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').pop()!), { version: 1, runId: true, prediction: [0, 2] });
  assert.ok(fs.existsSync(path.join(dir, '.tracklab')), 'no project markers: the store is in the working directory, as documented');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('"Where the store is" shows what tracklab info prints', () => {
  const at = README.indexOf('\nstore       ');
  assert.ok(at > 0, 'the example output is in the README');
  const shown = README.slice(at + 1, README.indexOf('```', at));
  assert.match(shown, /^store {7}\S+\/\.tracklab\n {2}why {7}no \.tracklab above \S+; using the project root \S+ \(it holds package\.json\)\n$/);
});
