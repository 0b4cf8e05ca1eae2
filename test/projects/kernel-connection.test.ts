import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../../src/errors';
import { startKernel } from '../../src/projects/kernel-connection';
import { bindRaceInjection } from '../support/bind-race';

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
    // Interrupted once it says it is looping: no guess at how long the kernel takes to get there.
    const loop = kernel.execute('console.log("looping");\nconst until = Date.now() + 600_000; while (Date.now() < until) {}', {
      onOutput: (m) => { if (m.header.msg_type === 'stream' && String(m.content['text']).includes('looping')) kernel.interrupt(); },
    });
    const stopped = await loop;
    assert.equal(stopped.interrupted, true);
    assert.equal(stopped.reply.status, 'error');
    assert.match(streamText(stopped.outputs, 'stderr'), /interrupted/i);

    // tslab cancels requests for 200 ms after a failure (reply `abort`); after that the kernel works again.
    let after = await kernel.execute('console.log("alive")');
    while (after.reply.status === 'abort') after = await kernel.execute('console.log("alive")');
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
  // Killed once the cell runs (it says so), not after a guessed delay.
  const pending = kernel.execute('console.log("waiting");\nawait new Promise((r) => setTimeout(r, 600_000))', {
    onOutput: (m) => { if (m.header.msg_type === 'stream') process.kill(kernel.pid, 'SIGKILL'); },
  });
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

test('a read refused while the kernel binds (a request came too early) does not end its shell loop', async () => {
  // Without kernel-preload.ts, tslab's shell loop ends there and the kernel never answers (30 s, then an error).
  const race = bindRaceInjection();
  const kernel = await startKernel({ cwd: os.tmpdir(), env: race.env });
  try {
    assert.ok(race.met(), 'the kernel met the refused read');
    const { reply, outputs } = await kernel.execute('console.log(6 * 7)');
    assert.equal(reply.status, 'ok');
    assert.equal(streamText(outputs, 'stdout'), '42\n');
  } finally {
    await kernel.shutdown();
  }
});

test('a cell that prints 20,000 lines in a tight loop: every line arrives, in order, and the cell answers', async () => {
  // tslab does not wait for one send before the next; without kernel-preload.ts zeromq refused the overlapping
  // sends and the publisher dropped what the client had not taken yet, so lines and the `idle` status were lost.
  const kernel = await startKernel({ cwd: os.tmpdir() });
  try {
    const { reply, outputs } = await kernel.execute('for (let i = 0; i < 20000; i++) process.stdout.write(`line ${i}\\n`);');
    assert.equal(reply.status, 'ok');
    assert.equal(streamText(outputs, 'stdout'), Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(''));
  } finally {
    await kernel.shutdown();
  }
});
