import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isTracklabError } from '../errors';
import { SqliteStore } from '../store/sqlite/sqlite-store';
import { ArtifactRepository } from './artifact-repository';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

let runCounter = 0;
async function setup(): Promise<{ root: string; store: SqliteStore; repo: ArtifactRepository; newRun: () => Promise<string> }> {
  const root = tempDir();
  const store = SqliteStore.open(root);
  const exp = await store.ensureExperiment('artifacts');
  const newRun = async (): Promise<string> => {
    const runId = `run${++runCounter}x${Date.now()}`;
    await store.createRun({ runId, runName: `test-run-${runCounter}`, experimentId: exp.experimentId, startTime: Date.now() });
    return runId;
  };
  return { root, store, repo: new ArtifactRepository(store), newRun };
}

function blobFiles(root: string): string[] {
  const dir = path.join(root, 'artifacts', 'sha256');
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

function sha(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function invalid(e: unknown): boolean {
  return isTracklabError(e, 'INVALID_PARAMETER_VALUE');
}

test('two runs logging identical content share one blob', async () => {
  const { root, store, repo, newRun } = await setup();
  const [a, b] = [await newRun(), await newRun()];
  const src = path.join(tempDir(), 'weights.bin');
  const bytes = Buffer.alloc(64 * 1024, 7);
  fs.writeFileSync(src, bytes);
  const fromFile = await repo.logArtifact(a, src);
  const fromBytes = await repo.logArtifact(b, bytes, 'model/weights.bin');
  assert.deepEqual(fromFile, [{ path: 'weights.bin', sha256: sha(bytes), size: bytes.length }]);
  assert.deepEqual(fromBytes, [{ path: 'model/weights.bin', sha256: sha(bytes), size: bytes.length }]);
  assert.equal(blobFiles(root).length, 1);
  assert.deepEqual(await repo.listArtifacts(b), fromBytes);
  store.close();
});

test('writes are atomic: a reader never sees a partial blob, and no temp file is left', async () => {
  const { root, store, repo, newRun } = await setup();
  const runId = await newRun();
  const big = Buffer.alloc(24 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  const src = path.join(tempDir(), 'big.bin');
  fs.writeFileSync(src, big);
  const target = repo.content.blobPath(sha(big));
  // The observer is a worker thread: it stats the content address in a loop of its own while this
  // thread writes, so it sees the path between any two system calls the write makes, not only between awaits.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const observer = new Worker(OBSERVER, { eval: true, workerData: { target, stop } });
  type Report = { sizes: number[]; absent: number; present: number };
  let watching!: () => void;
  const ready = new Promise<void>((resolve) => { watching = resolve; });
  const report = new Promise<Report>((resolve, reject) => {
    observer.on('message', (m: Report | { ready: true }) => ('ready' in m ? watching() : resolve(m)));
    observer.once('error', reject);
  });
  await ready;
  await repo.logArtifact(runId, src);
  Atomics.store(stop, 0, 1);
  const seen = await report;
  await observer.terminate();
  assert.ok(seen.absent > 0, 'the observer was watching before the blob appeared');
  assert.ok(seen.present > 0, 'and saw it once it was there');
  assert.deepEqual(seen.sizes, [big.length], 'the blob path only ever holds the complete file');
  assert.deepEqual(fs.readdirSync(repo.content.tmpDir), []);
  assert.equal(blobFiles(root).length, 1);
  store.close();
});

/** Worker source: stat the target until told to stop (one last look after), then report every size seen. */
const OBSERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { target, stop } = workerData;
const sizes = new Set();
let absent = 0;
let present = 0;
const look = () => {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st) { sizes.add(st.size); present++; } else absent++;
};
look();
parentPort.postMessage({ ready: true });
while (Atomics.load(stop, 0) === 0) look();
look();
parentPort.postMessage({ sizes: [...sizes], absent, present });
`;

test('a folder logs recursively, under its name or a given prefix', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  const dir = path.join(tempDir(), 'plots');
  fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'loss.svg'), '<svg/>');
  fs.writeFileSync(path.join(dir, 'sub', 'acc.txt'), '0.9');
  fs.writeFileSync(path.join(dir, 'sub', 'deeper', 'x.json'), '{}');
  fs.symlinkSync(dir, path.join(dir, 'sub', 'loop'));
  const logged = await repo.logArtifact(runId, dir);
  assert.deepEqual(logged.map((e) => e.path), ['plots/loss.svg', 'plots/sub/acc.txt', 'plots/sub/deeper/x.json'],
    'sorted, and the symlink back to the folder is not followed');
  const prefixed = await repo.logArtifacts(runId, dir, 'copies/v1');
  assert.deepEqual(prefixed.map((e) => e.path), ['copies/v1/loss.svg', 'copies/v1/sub/acc.txt', 'copies/v1/sub/deeper/x.json']);
  const atRoot = await repo.logArtifacts(runId, path.join(dir, 'sub', 'deeper'));
  assert.deepEqual(atRoot.map((e) => e.path), ['x.json']);
  assert.deepEqual((await repo.listArtifacts(runId, 'plots/sub')).map((e) => e.path), ['plots/sub/acc.txt', 'plots/sub/deeper/x.json']);
  assert.deepEqual((await repo.listArtifacts(runId, 'plots/su')).map((e) => e.path), [], 'prefixes match whole segments');
  store.close();
});

test('a folder with one bad file name stores nothing', async () => {
  const { root, store, repo, newRun } = await setup();
  const runId = await newRun();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'good.txt'), 'ok');
  fs.writeFileSync(path.join(dir, 'bad;name.txt'), 'no');
  await assert.rejects(repo.logArtifact(runId, dir, 'out'), (e: unknown) => invalid(e) && /";"/.test((e as Error).message));
  assert.deepEqual(blobFiles(root), []);
  assert.deepEqual(await repo.listArtifacts(runId), []);
  store.close();
});

test('text, JSON and bytes need a path; JSON is stable', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  for (const source of [{ text: 'hi' }, { json: { a: 1 } }, Buffer.from('x'), new Uint8Array([1])]) {
    await assert.rejects(repo.logArtifact(runId, source), (e: unknown) => invalid(e) && /artifact path is required/.test((e as Error).message));
  }
  const [one] = await repo.logArtifact(runId, { json: { b: [1, { d: 2, c: 3 }], a: 'x' } }, 'cfg/one.json');
  const [two] = await repo.logArtifact(runId, { json: { a: 'x', b: [1, { c: 3, d: 2 }] } }, 'cfg/two.json');
  assert.equal(one.sha256, two.sha256, 'key order does not change the bytes');
  assert.equal((await repo.openArtifact(runId, 'cfg/one.json')).toString('utf8'),
    '{\n  "a": "x",\n  "b": [\n    1,\n    {\n      "c": 3,\n      "d": 2\n    }\n  ]\n}\n');
  await repo.logArtifact(runId, { text: 'héllo\n' }, 'notes.txt');
  assert.equal((await repo.openArtifact(runId, 'notes.txt')).toString('utf8'), 'héllo\n');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(repo.logArtifact(runId, { json: cyclic }, 'c.json'), (e: unknown) => invalid(e) && /cannot be serialised/.test((e as Error).message));
  await assert.rejects(repo.logArtifact(runId, { json: undefined }, 'u.json'), invalid);
  store.close();
});

test('open, local path and errors for missing files and folders', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  await repo.logArtifact(runId, { text: 'a' }, 'dir/a.txt');
  assert.equal((await repo.openArtifact(runId, 'dir//a.txt')).toString(), 'a');
  const local = await repo.artifactLocalPath(runId, 'dir/a.txt');
  assert.equal(fs.readFileSync(local, 'utf8'), 'a');
  await assert.rejects(repo.openArtifact(runId, 'dir'), (e: unknown) => invalid(e) && /is a folder/.test((e as Error).message));
  await assert.rejects(repo.openArtifact(runId, 'nope.txt'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  await assert.rejects(repo.listArtifacts('no-such-run'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  await assert.rejects(repo.logArtifact('no-such-run', { text: 'x' }, 'x'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  await assert.rejects(repo.logArtifact(runId, path.join(tempDir(), 'missing.bin')), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  await store.setRunLifecycle(runId, 'deleted');
  await assert.rejects(repo.logArtifact(runId, { text: 'x' }, 'x'), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
  store.close();
});

test('download round-trips a run, a folder and a file', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  const files: Record<string, string> = { 'model/MLmodel': 'flavors: {}\n', 'model/weights.bin': 'W'.repeat(5000), 'eval.json': '{}' };
  for (const [p, text] of Object.entries(files)) await repo.logArtifact(runId, { text }, p);

  const all = await repo.downloadArtifacts(`runs:/${runId}`);
  assert.ok(all.startsWith(os.tmpdir()), 'defaults to a new temp folder');
  for (const [p, text] of Object.entries(files)) assert.equal(fs.readFileSync(path.join(all, p), 'utf8'), text);

  const dest = tempDir();
  const folder = await repo.downloadArtifacts(`runs:/${runId}/model`, dest);
  assert.equal(folder, path.join(dest, 'model'));
  assert.deepEqual(fs.readdirSync(folder).sort(), ['MLmodel', 'weights.bin']);
  assert.ok(fs.statSync(path.join(folder, 'MLmodel')).mode & 0o200, 'downloaded copies are writable, unlike blobs');

  const one = await repo.downloadArtifacts({ runId, path: 'eval.json' }, dest);
  assert.equal(one, path.join(dest, 'eval.json'));
  assert.equal(fs.readFileSync(one, 'utf8'), '{}');
  // Downloading again overwrites in place.
  assert.equal(await repo.downloadArtifacts({ runId, path: 'eval.json' }, dest), one);
  assert.deepEqual(fs.readdirSync(dest).sort(), ['eval.json', 'model'], 'no temp files are left');

  await assert.rejects(repo.downloadArtifacts(`runs:/${runId}/missing`), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  await assert.rejects(repo.downloadArtifacts(`models:/m/1`), invalid);
  store.close();
});

const TRAVERSALS = ['../x', '/abs', 'a\\b', '%2e%2e/x', '%252e%252e/x', 'a/../../b', 'C:/x', 'a\u0000b'];

test('traversal is refused on log and on download', async () => {
  const { root, store, repo, newRun } = await setup();
  const runId = await newRun();
  await repo.logArtifact(runId, { text: 'fine' }, 'ok.txt');
  const dest = tempDir();
  for (const bad of TRAVERSALS) {
    await assert.rejects(repo.logArtifact(runId, { text: 'x' }, bad), invalid, `log ${JSON.stringify(bad)}`);
    await assert.rejects(repo.downloadArtifacts(`runs:/${runId}/${bad}`, dest), invalid, `download URI ${JSON.stringify(bad)}`);
    await assert.rejects(repo.downloadArtifacts({ runId, path: bad }, dest), invalid, `download path ${JSON.stringify(bad)}`);
    await assert.rejects(repo.openArtifact(runId, bad), invalid, `open ${JSON.stringify(bad)}`);
  }
  assert.deepEqual((await repo.listArtifacts(runId)).map((e) => e.path), ['ok.txt']);
  assert.deepEqual(fs.readdirSync(dest), []);
  assert.equal(blobFiles(root).length, 1);
  store.close();
});

test('a tampered manifest cannot make download write outside the destination', async () => {
  const { store, repo, newRun } = await setup();
  const runId = await newRun();
  const [good] = await repo.logArtifact(runId, { text: 'payload' }, 'ok.txt');
  // Written straight to the store, as a hand-edited database would hold it.
  // Sorts after "ok.txt", so a copy-as-you-go download would have written ok.txt first.
  await store.putArtifacts(runId, [{ path: 'zz/../../escaped.txt', sha256: good.sha256, size: good.size }]);
  const parent = tempDir();
  const dest = path.join(parent, 'dest');
  await assert.rejects(repo.downloadArtifacts(`runs:/${runId}`, dest), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /unsafe path/.test((e as Error).message));
  assert.equal(fs.existsSync(path.join(parent, 'escaped.txt')), false);
  assert.deepEqual(fs.readdirSync(dest), [], 'every path is checked before the first file is copied');

  // A symlinked folder inside the destination does not lead outside either.
  const runB = await newRun();
  await repo.logArtifact(runB, { text: 'payload' }, 'sub/file.txt');
  const outside = tempDir();
  const dest2 = tempDir();
  fs.symlinkSync(outside, path.join(dest2, 'sub'));
  await assert.rejects(repo.downloadArtifacts(`runs:/${runB}`, dest2), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /outside/.test((e as Error).message));
  assert.deepEqual(fs.readdirSync(outside), []);
  store.close();
});
