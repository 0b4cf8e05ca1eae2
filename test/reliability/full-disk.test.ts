/**
 * Issue 10, item 1: a full disk while storing an artifact. write(2) stores
 * what fits and returns a short count; the bytes after it must never be
 * taken as written. Run against a real tmpfs that really fills up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { saveModel } from '../../src/models/package';
import { writeNotebook } from '../../src/projects/nbformat';
import { TrackingClient } from '../../src/tracking/client';
import { mountTmpfs, NEEDS_ROOT } from './tmpfs';

const MiB = 1024 * 1024;
const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function diskFull(e: unknown): boolean {
  return isTracklabError(e, 'INTERNAL_ERROR') && /is full \(ENOSPC\)/.test(e.message);
}

/** Every file under `dir`, relative. */
function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

test('an artifact that does not fit fails with a clear error and leaves no blob, no temp file and no manifest row', { skip: NEEDS_ROOT }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-full-'));
  // The artifact folder on its own small volume: the database has room, so only the blob write can fail.
  const volume = mountTmpfs(4 * MiB, path.join(home, 'artifacts'));
  const client = new TrackingClient({ home });
  try {
    const run = await client.createRun({ experiment: 'full-disk' });
    await client.logArtifact(run.runId, { text: 'logged before the disk filled' }, 'notes.txt');
    const before = await client.listArtifacts(run.runId); // with provenance/git-diff.patch when the checkout is dirty
    const filler = volume.fill(256 * 1024);

    const big = randomBytes(MiB);
    const bigFile = path.join(os.tmpdir(), `tracklab-big-${process.pid}.bin`);
    const bigger = randomBytes(3 * MiB);
    fs.writeFileSync(bigFile, bigger);
    for (const [source, bytes] of [[big, big], [bigFile, bigger]] as const) {
      await assert.rejects(client.logArtifact(run.runId, source, 'model.bin'), diskFull);
      assert.equal(fs.existsSync((await client.core.artifacts()).content.blobPath(sha256(bytes))), false, 'no blob at the content address');
      assert.deepEqual(fs.readdirSync((await client.core.artifacts()).content.tmpDir), [], 'no temp file left');
      assert.deepEqual(await client.listArtifacts(run.runId), before, 'the manifest is unchanged');
    }

    fs.rmSync(filler);
    const [stored] = await client.logArtifact(run.runId, big, 'model.bin');
    assert.equal(stored.sha256, sha256(big));
    const out = await client.downloadArtifacts(`runs:/${run.runId}/model.bin`, fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-dl-')));
    assert.ok(fs.readFileSync(out).equals(big), 'once there is room the same artifact stores whole');
    fs.rmSync(bigFile);
  } finally {
    await client.close();
    volume.unmount();
  }
});

test('downloads, exports, notebooks, CLI output and model packages on a full disk fail clearly and leave no partial file', { skip: NEEDS_ROOT }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-full-'));
  const client = new TrackingClient({ home });
  const volume = mountTmpfs(4 * MiB);
  try {
    const run = await client.createRun({ experiment: 'full-disk' });
    const big = randomBytes(MiB);
    await client.logArtifact(run.runId, big, 'weights.bin');
    for (let step = 0; step < 20_000; step++) client.logMetric(run.runId, 'loss', 1 / (step + 1), step);
    await client.flush();
    const out = path.join(volume.dir, 'out');
    fs.mkdirSync(out);
    const filler = volume.fill(128 * 1024);

    await assert.rejects(client.downloadArtifacts({ runId: run.runId, path: 'weights.bin' }, out), diskFull);
    await assert.rejects(client.exportArrow(path.join(out, 'history.arrow'), { runIds: [run.runId] }), diskFull);
    const notebook = { cells: [{ cell_type: 'markdown' as const, id: 'a', metadata: {}, source: 'x'.repeat(512 * 1024) }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    assert.throws(() => writeNotebook(path.join(out, 'run.out.ipynb'), notebook as never), diskFull);
    const code = path.join(home, 'model.js');
    fs.writeFileSync(code, `// ${'weights '.repeat(64 * 1024)}\nexports.model = { predict: (rows) => rows.map(() => 0) };\n`);
    await assert.rejects(saveModel({ predict: (rows: unknown[]) => rows.map(() => 0) }, path.join(out, 'model'), { flavor: 'js_function', code, export: 'model' }), diskFull);
    fs.rmSync(path.join(out, 'model'), { recursive: true, force: true }); // saveModel makes the folder it was asked to fill

    const cli = spawnSync(process.execPath, [CLI, '--home', home, 'metrics', run.runId, '--output', path.join(out, 'loss.csv')], { encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /^error \[INTERNAL_ERROR\]: .*is full \(ENOSPC\)/);
    assert.deepEqual(files(out), [], 'nothing partial is left in the destination');

    fs.rmSync(filler);
    const dir = await client.downloadArtifacts({ runId: run.runId }, out);
    assert.ok(fs.readFileSync(path.join(dir, 'weights.bin')).equals(big));
  } finally {
    await client.close();
    volume.unmount();
  }
});
