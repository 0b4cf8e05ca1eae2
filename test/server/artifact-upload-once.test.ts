/**
 * An artifact upload through the proxy is written to disk once: streamed
 * into the content store as it arrives, hashed on the way, verified, then
 * renamed into place. It used to land in a staging file first and then be
 * copied into the store, so an upload needed twice its size in free space
 * and twice its size in writes.
 *
 * Proved on a real `tracklab server` process by the bytes it hands to
 * write(2) (`wchar` in /proc/<pid>/io), which counts every write the process
 * makes, whatever the timing: a 24 MiB upload must cost less than 1.5× its
 * size (one copy plus the database and the answer), where two copies are 2×.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/jupyter';
import { testStores } from '../support/test-stores';
import { api } from './server-fixture';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const ENV = { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' };
const SIZE = 24 * 1024 * 1024;

function bytesWritten(pid: number): number {
  const m = /^wchar: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  assert.ok(m, 'the kernel reports wchar in /proc/<pid>/io');
  return Number(m[1]);
}

/** Every regular file under `dir` with its size, once per inode (a hard link is not a copy). */
function filesUnder(dir: string, out = new Map<string, { file: string; size: number }>()): Map<string, { file: string; size: number }> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(file, out);
    else if (entry.isFile()) {
      const st = fs.statSync(file);
      out.set(`${st.dev}:${st.ino}`, { file, size: st.size });
    }
  }
  return out;
}

test('an artifact upload is written to disk once (bytes written by the server process < 1.5x the file) and verified', { skip: process.platform !== 'linux' ? 'needs /proc/<pid>/io' : false }, async (t) => {
  const store = testStores()[0]!.create();
  const child = spawn(process.execPath, [CLI, '--tracking-uri', store.uri, 'server', '--port', '0', '--artifacts-destination', store.artifactRoot],
    { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (t: string) => {
        stdout += t;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`the server exited (${code}) before listening`)));
    });
    const exp = await api(url, 'POST', 'experiments/create', { name: 'uploads' });
    const run = await api(url, 'POST', 'runs/create', { experiment_id: exp.body.experiment_id, start_time: 1 });
    const runId: string = run.body.run.info.run_id;
    const content = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i += 4096) content.writeUInt32LE((i * 2654435761) >>> 0, i); // incompressible enough, and not all zeros
    const before = bytesWritten(child.pid!);
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${exp.body.experiment_id}/${runId}/artifacts/model/weights.bin`, { method: 'PUT', body: content });
    assert.equal(put.status, 200, await put.text());
    const written = bytesWritten(child.pid!) - before;
    t.diagnostic(`the server wrote ${written} bytes for a ${SIZE}-byte upload: ${(written / SIZE).toFixed(3)}x`);
    assert.ok(written >= SIZE, `the file was written (${written} bytes)`);
    assert.ok(written < 1.5 * SIZE, `${written} bytes written for a ${SIZE}-byte upload: ${(written / SIZE).toFixed(2)}x, one copy is about 1x`);

    const files = [...filesUnder(store.artifactRoot).values()];
    assert.deepEqual(files.map((f) => f.size).filter((s) => s === SIZE), [SIZE], `one copy on disk: ${JSON.stringify(files)}`);
    assert.deepEqual(fs.readdirSync(path.join(store.artifactRoot, 'tmp')), [], 'no staging file left behind');
    const got = Buffer.from(await (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${exp.body.experiment_id}/${runId}/artifacts/model/weights.bin`)).arrayBuffer());
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(content).digest('hex'));
    const [entry] = await store.client().listArtifacts(runId);
    assert.deepEqual({ path: entry!.path, size: entry!.size }, { path: 'model/weights.bin', size: SIZE });
  } finally {
    child.kill('SIGTERM');
    await exited;
    await store.cleanup();
  }
});
