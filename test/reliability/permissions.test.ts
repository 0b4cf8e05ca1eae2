/**
 * Issue 10, item 10: staging files are private while they are written, and no
 * file tracklab makes is more readable than the umask allows (blobs and
 * downloads were forced to 0444/0644 whatever the umask).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContentStore } from '../../src/artifacts/content-store';
import { writeNotebook } from '../../src/projects/nbformat';
import { TrackingClient } from '../../src/tracking/client';

function modeOf(file: string): string {
  return (fs.statSync(file).mode & 0o777).toString(8).padStart(3, '0');
}

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

test('a staging .part file is 0600 while its content is being written', async () => {
  await withUmask(0o022, async () => {
    const content = new ContentStore(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-perm-')));
    // A FIFO as the source holds put() mid-write for as long as the test keeps it open.
    const fifo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-fifo-')), 'source');
    execFileSync('mkfifo', [fifo]);
    const putting = content.put(fifo);
    // The writer's open returns once put() has created its .part file and opened the FIFO to read it.
    const writer = await fs.promises.open(fifo, 'w');
    await writer.write('secret bytes, half written');
    const staged = fs.readdirSync(content.tmpDir).filter((n) => n.endsWith('.part'));
    assert.equal(staged.length, 1);
    assert.equal(modeOf(path.join(content.tmpDir, staged[0])), '600', 'the half-written file is private');
    await writer.close();
    const blob = await putting;
    assert.equal(modeOf(content.blobPath(blob.sha256)), '444', 'the finished blob is read-only, within umask 022');
  });
});

for (const [mask, blobMode, fileMode] of [[0o022, '444', '644'], [0o077, '400', '600'], [0o027, '440', '640']] as const) {
  test(`under umask ${mask.toString(8).padStart(3, '0')} blobs are ${blobMode} and downloads, exports and notebooks ${fileMode}`, async () => {
    await withUmask(mask, async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-perm-'));
      const client = new TrackingClient({ home });
      try {
        const run = await client.createRun({ experiment: 'perm' });
        const [entry] = await client.logArtifact(run.runId, { text: 'private results' }, 'results.txt');
        client.logMetric(run.runId, 'loss', 0.5, 1);
        assert.equal(modeOf((await client.core.artifacts()).content.blobPath(entry.sha256)), blobMode);

        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-perm-out-'));
        const dir = await client.downloadArtifacts({ runId: run.runId, path: 'results.txt' }, out);
        assert.equal(modeOf(dir), fileMode, 'download');
        const arrow = path.join(out, 'history.arrow');
        await client.exportArrow(arrow, { runIds: [run.runId] });
        assert.equal(modeOf(arrow), fileMode, 'Arrow export');
        const notebook = path.join(out, 'out.ipynb');
        writeNotebook(notebook, { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } as never);
        assert.equal(modeOf(notebook), fileMode, 'notebook');
      } finally {
        await client.close();
      }
    });
  });
}
