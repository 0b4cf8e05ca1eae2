import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../errors';
import { ContentStore } from './content-store';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under `dir`, relative, for asserting what is on disk. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

test('bytes land at <artifact root>/sha256/<ab>/<rest>, read-only, with no temp left', async () => {
  const root = tempDir();
  const content = new ContentStore(root);
  const bytes = Buffer.from('hello artifacts\n');
  const info = await content.put(bytes);
  assert.deepEqual(info, { sha256: sha(bytes), size: bytes.length });
  const file = path.join(root, 'sha256', info.sha256.slice(0, 2), info.sha256.slice(2));
  assert.equal(content.blobPath(info.sha256), file);
  assert.deepEqual(fs.readFileSync(file), bytes);
  assert.equal(fs.statSync(file).mode & 0o222, 0, 'blobs are read-only');
  assert.deepEqual(filesUnder(content.tmpDir), []);
  assert.deepEqual(await content.read(info.sha256), bytes);
});

test('a file is streamed in chunks and hashes like its bytes', async () => {
  const root = tempDir();
  const src = path.join(tempDir(), 'big.bin');
  // 5 MiB in 1 MiB reads, with a pattern so misordered chunks would change the hash.
  const big = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 13)) & 0xff;
  fs.writeFileSync(src, big);
  const info = await new ContentStore(root).put(src);
  assert.deepEqual(info, { sha256: sha(big), size: big.length });
});

test('the same content twice is one blob file', async () => {
  const root = tempDir();
  const content = new ContentStore(root);
  const a = await content.put(Buffer.from('same'));
  const src = path.join(tempDir(), 'same.txt');
  fs.writeFileSync(src, 'same');
  const b = await content.put(src);
  assert.deepEqual(a, b);
  assert.equal((await content.listBlobs()).length, 1);
  assert.deepEqual(filesUnder(content.tmpDir), []);
});

test('a failed read leaves neither a blob nor a temp file', async () => {
  const root = tempDir();
  const content = new ContentStore(root);
  await assert.rejects(content.put(path.join(root, 'missing.bin')),
    (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST') && /Cannot read/.test(e.message));
  // A folder passed as a file fails mid-stream (EISDIR), after the temp file exists.
  await assert.rejects(content.put(tempDir()), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  assert.deepEqual(await content.listBlobs(), []);
  assert.deepEqual(filesUnder(content.tmpDir), []);
});

test('an existing blob of the wrong size (damaged) is replaced by the good copy', async () => {
  const root = tempDir();
  const content = new ContentStore(root);
  const bytes = Buffer.from('the real content');
  const target = content.blobPath(sha(bytes));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, 'trunc');
  await content.put(bytes);
  assert.deepEqual(fs.readFileSync(target), bytes);
});

test('digests are checked before they become paths', () => {
  const content = new ContentStore(tempDir());
  for (const bad of ['../../etc/passwd', 'AB'.repeat(32), 'a'.repeat(63), '']) {
    assert.throws(() => content.blobPath(bad), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  }
});

test('a blob that resolves outside the artifact root is refused', async () => {
  const root = tempDir();
  const outside = path.join(tempDir(), 'secret.txt');
  fs.writeFileSync(outside, 'secret');
  const content = new ContentStore(root);
  const digest = sha(Buffer.from('secret'));
  const link = content.blobPath(digest);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(outside, link);
  assert.throws(() => content.resolveBlob(digest), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /outside the artifact root/.test(e.message));
  await assert.rejects(content.read(digest), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
});

test('a missing blob reads as RESOURCE_DOES_NOT_EXIST', async () => {
  const content = new ContentStore(tempDir());
  await assert.rejects(content.read('0'.repeat(64)), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
});

test('quarantine and restore move a blob out of and back to its address', async () => {
  const content = new ContentStore(tempDir());
  const info = await content.put(Buffer.from('x'));
  const trash = await content.quarantine(info.sha256);
  assert.ok(trash && fs.existsSync(trash));
  assert.equal(await content.has(info.sha256), false);
  assert.deepEqual((await content.listTrash()).map((t) => t.sha256), [info.sha256]);
  await content.restore(trash, info.sha256);
  assert.equal(await content.has(info.sha256), true);
  assert.deepEqual(await content.listTrash(), []);
  assert.equal(await content.quarantine('f'.repeat(64)), undefined, 'a missing blob is nothing to move');
});

test('stale temp files are found by age', async () => {
  const content = new ContentStore(tempDir());
  fs.mkdirSync(content.tmpDir, { recursive: true });
  const old = path.join(content.tmpDir, 'old.part');
  const fresh = path.join(content.tmpDir, 'fresh.part');
  fs.writeFileSync(old, 'abc');
  fs.writeFileSync(fresh, 'de');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
  assert.deepEqual(await content.staleTempFiles(Date.now() - 3600_000), [{ file: old, size: 3 }]);
});

test('putStream stores a stream under its digest only when the bytes hash to it; a failing or oversized stream leaves nothing', async () => {
  const content = new ContentStore(tempDir());
  async function* chunks(...parts: string[]) { for (const p of parts) yield Buffer.from(p); }
  const good = Buffer.from('streamed content');
  assert.deepEqual(await content.putStream(chunks('streamed ', 'content'), { sha256: sha(good), size: good.length }), { sha256: sha(good), size: good.length });
  assert.deepEqual(await content.read(sha(good)), good);

  const claimed = sha(Buffer.from('other'));
  await assert.rejects(content.putStream(chunks('not other'), { sha256: claimed }), (err) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && /not stored/.test(err.message));
  await assert.rejects(content.putStream(chunks('streamed content'), { sha256: sha(good), size: 3 }), /not the 3 bytes announced/);
  const cut = new Error('peer went away');
  await assert.rejects(content.putStream((async function* () { yield Buffer.from('half'); throw cut; })(), { sha256: claimed }), (err) => err === cut);
  const tooLarge = new Error('too large');
  await assert.rejects(content.putStream(chunks('12345', '67890'), { sha256: claimed }, { maxBytes: 8, tooLarge: () => tooLarge }), (err) => err === tooLarge);
  assert.equal(await content.has(claimed), false);
  assert.deepEqual(filesUnder(content.tmpDir), []);
});
