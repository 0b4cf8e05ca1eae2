/**
 * Artifacts through a tracking server, the hard cases:
 * - a process that logs an artifact while the server is down and exits
 *   before it is back leaves it in its outbox and artifact cache, and
 *   `tracklab sync` delivers it later, once;
 * - runs logged offline are synced with their artifacts;
 * - a file larger than any buffer is streamed at both ends: logging it and
 *   downloading it on another machine keep each process's memory far below
 *   the file's size.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { startTrackingServer } from '../../src/server/tracking-server';
import { openStore } from '../../src/store/open-store';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';
import { startServerFixture } from './server-fixture';

const INDEX = path.join(repoRoot(), 'dist', 'src', 'index.js');
const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const SQLITE = require.resolve('better-sqlite3');
const [sqlite] = testStores();

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function node(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function lastJson(out: { code: number | null; stdout: string; stderr: string }): any {
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout.trim().split('\n').pop()!);
}

test('an artifact logged while the server is down, by a process that exits first, is delivered once by tracklab sync', { timeout: 120_000 }, async () => {
  const store = sqlite!.create();
  const backend = await openStore(store.uri);
  let server = await startTrackingServer({ backend, port: 0, artifactRoot: store.artifactRoot });
  const url = server.url;
  const home = tempDir('tracklab-client-');
  try {
    // The client makes its run, then (told on stdin that the server is gone) logs an artifact and exits
    // as soon as the write is in its outbox, as a kernel that is shut down would.
    const child = spawn(process.execPath, ['-e', `
      const tracklab = require(${JSON.stringify(INDEX)});
      const Database = require(${JSON.stringify(SQLITE)});
      const fs = require('node:fs');
      const path = require('node:path');
      const bytes = require('node:crypto').randomBytes(200000);
      (async () => {
        const client = tracklab.getClient();
        const run = await client.createRun({ experiment: 'left-behind' });
        console.log(JSON.stringify({ runId: run.runId }));
        await new Promise((r) => process.stdin.once('data', r));
        client.logArtifact(run.runId, bytes, 'queued/weights.bin').catch(() => undefined);
        const folder = path.join(process.env.TRACKLAB_HOME, 'outbox');
        for (;;) {
          const queued = fs.readdirSync(folder).filter((f) => f.endsWith('.db')).some((f) => {
            const db = new Database(path.join(folder, f), { readonly: true });
            try { return db.prepare("SELECT COUNT(*) AS n FROM ops WHERE kind = 'artifacts'").get().n > 0; } finally { db.close(); }
          });
          if (queued) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        console.log(JSON.stringify({ runId: run.runId, sha256: require('node:crypto').createHash('sha256').update(bytes).digest('hex') }));
        process.exit(0);
      })().catch((err) => { console.error(err); process.exit(1); });
    `], { env: { ...process.env, TRACKLAB_HOME: home, TRACKLAB_TRACKING_URI: url }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; if (stdout.includes('\n')) resolve(); });
      void exited.then((code) => reject(new Error(`the client exited (${code}) early: ${stderr}`)));
    });
    await server.close();
    child.stdin.write('go\n');
    assert.equal(await exited, 0, stderr);
    const logged = JSON.parse(stdout.trim().split('\n').pop()!) as { runId: string; sha256: string };
    assert.equal(await new ContentStore(store.artifactRoot).has(logged.sha256), false, 'nothing reached the server');

    server = await startTrackingServer({ backend, port: Number(new URL(url).port), artifactRoot: store.artifactRoot });
    const synced = await node([CLI, 'sync', '--tracking-uri', url], { TRACKLAB_HOME: home });
    assert.equal(synced.code, 0, synced.stderr + synced.stdout);
    assert.ok(await new ContentStore(store.artifactRoot).has(logged.sha256));
    const entries = await backend.tracking.listArtifacts(logged.runId);
    assert.deepEqual(entries.filter((e) => e.path === 'queued/weights.bin').map((e) => e.sha256), [logged.sha256]);
  } finally {
    await server.close();
    await backend.close();
    await store.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('runs logged with TRACKLAB_MODE=offline are synced with their artifacts, content sent once across repeated syncs', { timeout: 120_000 }, async () => {
  const fx = await startServerFixture(sqlite!);
  const home = tempDir('tracklab-client-');
  try {
    const logged = lastJson(await node(['-e', `
      const tracklab = require(${JSON.stringify(INDEX)});
      const bytes = require('node:crypto').randomBytes(50000);
      (async () => {
        const run = tracklab.startRun({ experiment: 'offline-artifacts' });
        await run.logArtifact(bytes, 'offline/a.bin');
        await run.end();
        console.log(JSON.stringify({ runId: run.id, sha256: require('node:crypto').createHash('sha256').update(bytes).digest('hex') }));
      })().catch((err) => { console.error(err); process.exit(1); });
    `], { TRACKLAB_MODE: 'offline', TRACKLAB_HOME: home, TRACKLAB_TRACKING_URI: fx.url })) as { runId: string; sha256: string };
    const server = new ContentStore(fx.store.artifactRoot);
    assert.equal(await server.has(logged.sha256), false, 'offline: nothing reached the server');
    for (let i = 0; i < 2; i++) {
      const synced = await node([CLI, 'sync', '--tracking-uri', fx.url], { TRACKLAB_HOME: home });
      assert.equal(synced.code, 0, synced.stderr + synced.stdout);
      if (i === 0) fs.rmSync(path.join(home, 'synced-runs.json')); // forget what was synced: the second sync sends the run again
    }
    assert.ok(await server.has(logged.sha256));
    const entries = await fx.backend.tracking.listArtifacts(logged.runId);
    assert.deepEqual(entries.filter((e) => e.path === 'offline/a.bin').map((e) => e.sha256), [logged.sha256]);
    assert.equal(fx.log.filter((e) => e.method === 'PUT' && e.path.endsWith(logged.sha256)).length, 1, 'the content went up once');
  } finally {
    await fx.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a 192 MiB file is streamed up and down: neither client nor server holds it in memory', { timeout: 300_000 }, async () => {
  const fx = await startServerFixture(sqlite!);
  const work = tempDir('tracklab-big-');
  const size = 192 * 1024 * 1024;
  try {
    const file = path.join(work, 'big.bin');
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'w');
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < size / chunk.length; i++) {
      chunk.writeUInt32LE(i, 0); // distinct chunks
      hash.update(chunk);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    const digest = hash.digest('hex');

    // The server's side: this process. Its Buffer memory is sampled while the upload streams through it.
    const serverBase = process.memoryUsage().arrayBuffers;
    let serverPeak = serverBase;
    const sampler = setInterval(() => { serverPeak = Math.max(serverPeak, process.memoryUsage().arrayBuffers); }, 5);
    const peakOf = (what: string) => `
      const base = process.memoryUsage().rss;
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
      ${what}
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
    `;
    const up = lastJson(await node(['-e', `
      const tracklab = require(${JSON.stringify(INDEX)});
      (async () => {
        const client = tracklab.getClient();
        const run = await client.createRun({ experiment: 'big' });
        ${peakOf(`await client.logArtifact(run.runId, ${JSON.stringify(file)}, 'big.bin');`)}
        console.log(JSON.stringify({ runId: run.runId, grew: peak - base }));
        await client.close();
      })().catch((err) => { console.error(err); process.exit(1); });
    `], { TRACKLAB_HOME: tempDir('tracklab-client-a-'), TRACKLAB_TRACKING_URI: fx.url })) as { runId: string; grew: number };
    clearInterval(sampler);
    assert.ok(await new ContentStore(fx.store.artifactRoot).has(digest));

    const down = lastJson(await node(['-e', `
      const tracklab = require(${JSON.stringify(INDEX)});
      const fs = require('node:fs');
      (async () => {
        const client = tracklab.getClient();
        ${peakOf(`const dir = await client.downloadArtifacts('runs:/${up.runId}/big.bin');`)}
        const hash = require('node:crypto').createHash('sha256');
        for await (const c of fs.createReadStream(dir)) hash.update(c);
        console.log(JSON.stringify({ grew: peak - base, sha256: hash.digest('hex') }));
        await client.close();
      })().catch((err) => { console.error(err); process.exit(1); });
    `], { TRACKLAB_HOME: tempDir('tracklab-client-b-'), TRACKLAB_TRACKING_URI: fx.url })) as { grew: number; sha256: string };
    assert.equal(down.sha256, digest);

    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`192 MiB artifact: client upload grew rss by ${mib(up.grew)} MiB, download by ${mib(down.grew)} MiB; server Buffers grew by ${mib(serverPeak - serverBase)} MiB`);
    // Far below the file's 192 MiB, with room for the garbage collector's lag on a loaded machine.
    const limit = 96 * 1024 * 1024;
    assert.ok(up.grew < limit, `logging grew the client by ${mib(up.grew)} MiB`);
    assert.ok(down.grew < limit, `downloading grew the client by ${mib(down.grew)} MiB`);
    assert.ok(serverPeak - serverBase < limit, `the server held ${mib(serverPeak - serverBase)} MiB of Buffers`);
  } finally {
    await fx.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
