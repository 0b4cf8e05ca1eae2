/**
 * An upload the disk cannot hold, on a real tmpfs that fills up: the client
 * gets MLflow's 500 (INTERNAL_ERROR, no folder named), the rest of its body
 * is not waited for (the answer says `Connection: close` and the server
 * closes the connection, as for every answer sent before the body was read),
 * nothing is stored, and the server goes on answering.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { mountTmpfs, NEEDS_ROOT } from '../reliability/tmpfs';
import { testStores, type StoreKind } from '../support/test-stores';
import { api, startServerFixture } from './server-fixture';

const [sqlite] = testStores() as [StoreKind];
const MiB = 1024 * 1024;

/** Sends `head` and `body` on one raw connection; resolves with everything answered and how long the connection stayed open (at most `waitMs`). */
function exchange(url: string, head: string, body: Buffer, waitMs: number): Promise<{ answer: string; closedAfterMs: number | undefined }> {
  const target = new URL(url);
  const started = Date.now();
  const socket = net.connect(Number(target.port), target.hostname);
  let answer = '';
  socket.on('error', () => undefined); // our writes may cross the server's close
  socket.once('connect', () => { socket.write(head); socket.write(body); });
  socket.on('data', (data) => { answer += data.toString('latin1'); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.destroy(); resolve({ answer, closedAfterMs: undefined }); }, waitMs);
    socket.once('close', () => { clearTimeout(timer); resolve({ answer, closedAfterMs: Date.now() - started }); });
  });
}

test('an upload that fills the disk mid-body gets 500 INTERNAL_ERROR with Connection: close, its connection is closed, nothing is stored, and the server answers the next upload', { skip: NEEDS_ROOT, timeout: 60_000 }, async () => {
  const volume = mountTmpfs(4 * MiB);
  const fx = await startServerFixture(sqlite, { artifactRoot: path.join(volume.dir, 'artifacts') });
  try {
    const experimentId = (await api(fx.url, 'POST', 'experiments/create', { name: 'full' })).body.experiment_id as string;
    const runId = (await api(fx.url, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id as string;
    const content = new ContentStore(path.join(volume.dir, 'artifacts'));
    const filler = volume.fill(256 * 1024);
    const host = new URL(fx.url).host;
    const body = crypto.randomBytes(2 * MiB);
    const routes = [
      `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model.bin`,
      `/api/tracklab/v1/artifacts/blobs/${crypto.createHash('sha256').update(body).digest('hex')}?run_id=${runId}`,
    ];
    for (const route of routes) {
      const head = `PUT ${route} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
      const { answer, closedAfterMs } = await exchange(fx.url, head, body, 5_000);
      assert.match(answer, /^HTTP\/1\.1 500 /, answer);
      assert.match(answer, /\r\nconnection: close\r\n/i, `the answer says the connection closes: ${answer}`);
      assert.match(answer, /"error_code":"INTERNAL_ERROR"/);
      assert.doesNotMatch(answer, new RegExp(volume.dir), 'no folder of the server is named');
      assert.ok(closedAfterMs !== undefined && closedAfterMs < 3_000, `the server closed the connection (after ${closedAfterMs} ms; the idle timeout is 120 s)`);
      assert.deepEqual(fs.readdirSync(content.tmpDir), [], 'no temp file left');
    }
    const puts = fx.log.filter((e) => e.method === 'PUT');
    assert.deepEqual(puts.map((e) => e.status), [500, 500], JSON.stringify(puts));
    assert.ok(puts.every((e) => /is full \(ENOSPC\)/.test(e.error ?? '')), 'the log says why');
    assert.equal((await api(fx.url, 'GET', 'artifacts/list', { run_id: runId })).body.files, undefined, 'nothing was recorded');

    fs.rmSync(filler);
    const put = await fetch(new URL(routes[0]!, fx.url), { method: 'PUT', body });
    assert.equal(put.status, 200, await put.text());
  } finally {
    await fx.close();
    volume.unmount();
  }
});
