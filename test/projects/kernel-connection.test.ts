import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTracklabError } from '../../src/errors';
import { startKernel } from '../../src/projects/kernel-connection';

const streamText = (outputs: readonly { header: { msg_type: string }; content: Record<string, unknown> }[], name: string): string =>
  outputs.filter((o) => o.header.msg_type === 'stream' && o.content['name'] === name).map((o) => String(o.content['text'])).join('');

test('a tslab kernel over ZeroMQ: loopback-only 0600 connection file, kernel_info, execute, interrupt, shutdown', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const kernel = await startKernel({ cwd, env: { TRACKLAB_TEST_VALUE: 'from-caller' } });
  try {
    const stat = fs.statSync(kernel.connectionFile);
    assert.equal(stat.mode & 0o777, 0o600);
    const info = JSON.parse(fs.readFileSync(kernel.connectionFile, 'utf8'));
    assert.equal(info.ip, '127.0.0.1');
    assert.equal(info.signature_scheme, 'hmac-sha256');
    assert.ok(info.key.length >= 32);

    const kernelInfo = await kernel.kernelInfo();
    assert.equal(kernelInfo.implementation, 'tslab');
    assert.equal(kernelInfo.language_info.name, 'typescript');

    const seen: string[] = [];
    const first = await kernel.execute('console.log(process.cwd(), process.env.TRACKLAB_TEST_VALUE)', { onOutput: (m) => seen.push(m.header.msg_type) });
    assert.equal(first.reply.status, 'ok');
    assert.equal(first.reply.execution_count, 1);
    assert.equal(streamText(first.outputs, 'stdout'), `${fs.realpathSync(cwd)} from-caller\n`);
    assert.deepEqual(seen, ['stream']);

    // A synchronous busy loop is broken by SIGINT (tslab runs cells with breakOnSigint).
    const loop = kernel.execute('const until = Date.now() + 30000; while (Date.now() < until) {}');
    await sleep(500);
    kernel.interrupt();
    const stopped = await loop;
    assert.equal(stopped.interrupted, true);
    assert.equal(stopped.reply.status, 'error');
    assert.match(streamText(stopped.outputs, 'stderr'), /interrupted/i);

    // tslab cancels requests for 200 ms after a failure; after that the kernel works again.
    await sleep(300);
    const after = await kernel.execute('console.log("alive")');
    assert.equal(after.reply.status, 'ok');
    assert.equal(streamText(after.outputs, 'stdout'), 'alive\n');
  } finally {
    const exit = await kernel.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null }, 'shutdown_request ends the kernel cleanly');
  }
  assert.equal(fs.existsSync(kernel.connectionFile), false, 'the connection file is removed');
  await assert.rejects(kernel.execute('1'), (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /exited with code 0/.test(e.message));
});

test('a kernel that dies mid-cell rejects the pending execute with its exit code', async () => {
  const kernel = await startKernel({ cwd: os.tmpdir() });
  await assert.rejects(
    kernel.execute('process.exit(3)'),
    (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /exited with code 3 while waiting for execute_request/.test(e.message),
  );
  assert.deepEqual(await kernel.exited, { code: 3, signal: null });
});

test('a kernel killed by a signal names the signal', async () => {
  const kernel = await startKernel({ cwd: os.tmpdir() });
  const pending = kernel.execute('await new Promise((r) => setTimeout(r, 30000))');
  await sleep(300);
  process.kill(kernel.pid, 'SIGKILL');
  await assert.rejects(pending, (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /killed by signal SIGKILL/.test(e.message));
});

test('shutdown ends a kernel that a pending timer would keep alive', async () => {
  const kernel = await startKernel({ cwd: os.tmpdir() });
  await kernel.execute('setTimeout(() => {}, 60000);');
  const exit = await kernel.shutdown();
  assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
});

test('a kernel that cannot start is a clear error with its stderr, not a 30 s wait', async () => {
  const missing = path.join(os.tmpdir(), 'tracklab-no-such-preload.js');
  await assert.rejects(
    startKernel({ cwd: os.tmpdir(), env: { NODE_OPTIONS: `--require=${missing}` } }),
    (e: unknown) => isTracklabError(e, 'INVALID_STATE') && /exited with code 1 while starting\. Kernel stderr: .*Cannot find module/s.test(e.message),
  );
  await assert.rejects(startKernel({ cwd: path.join(os.tmpdir(), 'tracklab-no-such-dir') }), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
});
