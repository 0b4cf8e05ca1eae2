/**
 * `tracklab ui` and `tracklab server` on a port another process holds, as
 * real processes against a real listener: the same one-line typed error and
 * exit 1, never Node's EADDRINUSE stack.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCliProcess } from '../support/cli-io';

test('tracklab ui and tracklab server on a port in use say so as INVALID_STATE and exit 1', { timeout: 60_000 }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-port-in-use-'));
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as net.AddressInfo;
  try {
    // `ui` reads an existing store (server creates one).
    assert.equal((await runCliProcess(['--home', home, 'experiments', 'create', 'e'], {})).code, 0);
    for (const command of ['ui', 'server']) {
      const exit = await runCliProcess(['--home', home, command, '--port', String(port)], {});
      assert.equal(exit.stderr, `error [INVALID_STATE]: Port ${port} on 127.0.0.1 is already in use; choose another with --port.\n`, command);
      assert.equal(exit.stdout, '', command);
      assert.equal(exit.code, 1, command);
    }
  } finally {
    await new Promise((resolve) => holder.close(resolve));
    fs.rmSync(home, { recursive: true, force: true });
  }
});
