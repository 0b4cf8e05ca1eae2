/**
 * Crafted js_function packages (issue 10, item 7): the code a package names
 * must be a regular file inside the package. A directory at `code/model.js`
 * would make `require` follow its package.json `main` (or index.js) anywhere,
 * so it is refused before any code runs, from a folder and through runs:/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { loadModel } from '../../src/models/load-model';
import { saveModel } from '../../src/models/package';
import { TrackingClient } from '../../src/tracking/client';
import { tempDir } from '../models/helpers';

/** Code outside every package; running it leaves a marker file. */
function outsideCode(): { file: string; marker: string } {
  const dir = tempDir();
  const marker = path.join(dir, 'ran.txt');
  const file = path.join(dir, 'evil.js');
  fs.writeFileSync(file, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`
    + 'exports.model = { predict: () => "outside code ran" };\n');
  return { file, marker };
}

/** A genuine js_function package, whose code file the caller then swaps for something else. */
/** A js_function package as one arrives from elsewhere: saved, then copied to a path this process never resolved. */
async function genuinePackage(): Promise<string> {
  const code = path.join(tempDir(), 'model.js');
  fs.writeFileSync(code, 'exports.model = { predict: (rows) => rows.map(() => 1) };\n');
  const saved = path.join(tempDir(), 'pkg');
  await saveModel(undefined, saved, { flavor: 'js_function', code, export: 'model' });
  const dir = path.join(tempDir(), 'pkg');
  fs.cpSync(saved, dir, { recursive: true });
  return dir;
}

function replaceCodeWithDirectory(dir: string, contents: Record<string, string>): void {
  const target = path.join(dir, 'code', 'model.js');
  fs.rmSync(target);
  fs.mkdirSync(target);
  for (const [name, text] of Object.entries(contents)) fs.writeFileSync(path.join(target, name), text);
}

function refusesCode(err: unknown): boolean {
  assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
  assert.match(err.message, /not a regular file/);
  return true;
}

test('a genuine js_function package still loads and predicts', async () => {
  const model = await loadModel(await genuinePackage());
  assert.deepEqual(await model.predict([{ a: 1 }, { a: 2 }]), [1, 1]);
});

test('code/model.js as a directory whose package.json main points outside is refused before it runs', async () => {
  const { file, marker } = outsideCode();
  const dir = await genuinePackage();
  replaceCodeWithDirectory(dir, { 'package.json': JSON.stringify({ main: file }) });
  await assert.rejects(loadModel(dir), refusesCode);
  assert.equal(fs.existsSync(marker), false, 'the outside code must not run');
});

test('code/model.js as a directory with an index.js inside the package is refused too', async () => {
  const { marker } = outsideCode();
  const dir = await genuinePackage();
  replaceCodeWithDirectory(dir, { 'index.js': `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nexports.model = { predict: () => 0 };\n` });
  await assert.rejects(loadModel(dir), refusesCode);
  assert.equal(fs.existsSync(marker), false);
});

test('code/model.js as a symlink to a file outside the package is refused', async () => {
  const { file, marker } = outsideCode();
  const dir = await genuinePackage();
  const target = path.join(dir, 'code', 'model.js');
  fs.rmSync(target);
  fs.symlinkSync(file, target);
  await assert.rejects(loadModel(dir), (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && /outside the model package/.test(err.message));
  assert.equal(fs.existsSync(marker), false);
});

test('the same crafted package logged to a run is refused through runs:/<id>/model', async () => {
  const { file, marker } = outsideCode();
  const dir = await genuinePackage();
  replaceCodeWithDirectory(dir, { 'package.json': JSON.stringify({ main: file }) });
  const client = new TrackingClient({ home: path.join(tempDir(), '.tracklab') });
  try {
    const run = await client.createRun({ experiment: 'crafted' });
    await client.logArtifacts(run.runId, dir, 'model');
    const listed = (await client.listArtifacts(run.runId, 'model/code')).map((e) => e.path);
    assert.deepEqual(listed, ['model/code/model.js/package.json'], 'the directory went into the run as it was crafted');
    await assert.rejects(loadModel(`runs:/${run.runId}/model`, { client }), refusesCode);
    assert.equal(fs.existsSync(marker), false, 'the outside code must not run');
  } finally {
    await client.close();
  }
});

test('code whose require.resolve() lands elsewhere (a resolution Node cached for that path) is refused, not loaded', async () => {
  const { file, marker } = outsideCode();
  const dir = await genuinePackage();
  const target = path.join(fs.realpathSync(dir), 'code', 'model.js');
  const genuine = fs.readFileSync(target, 'utf8');
  // While code/model.js is a directory, Node resolves that path through its package.json main and caches the answer
  // process-wide (Module._pathCache), as any earlier require or require.resolve of that path would.
  replaceCodeWithDirectory(dir, { 'package.json': JSON.stringify({ main: file }) });
  assert.equal(require.resolve(target), file);
  // A regular file is back at code/model.js and passes every file check, but require() would load the cached outside file.
  fs.rmSync(target, { recursive: true });
  fs.writeFileSync(target, genuine);
  assert.equal(require.resolve(target), file, 'the resolution is still cached');
  await assert.rejects(loadModel(dir), (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
    assert.match(err.message, /require\(\) would load .*evil\.js.* instead of that file/);
    return true;
  });
  assert.equal(fs.existsSync(marker), false, 'the outside code must not run');
});
