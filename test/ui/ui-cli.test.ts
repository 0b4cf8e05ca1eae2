// `tracklab ui` as a user starts it: prints its URL on 127.0.0.1, serves the
// store it was pointed at, refuses changes with --read-only, stops on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrackingClient } from '../../src/tracking/client';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

function startCli(args: string[]): { url: Promise<string>; stop: () => Promise<{ code: number | null; out: string }> } {
  const proc = spawn(process.execPath, [CLI, 'ui', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
    void exited.then(() => reject(new Error(`tracklab ui exited: ${out}${err}`)));
  });
  url.catch(() => undefined);
  return { url, stop: async () => { proc.kill('SIGTERM'); return { code: await exited, out }; } };
}

test('tracklab ui --port 0 --tracking-uri DIR --read-only serves that store and refuses changes', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-cli-'));
  const client = new TrackingClient({ home });
  const { runId } = await client.createRun({ experiment: 'cli-exp', name: 'cli-run' });
  await client.setTerminated(runId);
  await client.close();
  const ui = startCli(['--port', '0', '--tracking-uri', home, '--read-only']);
  try {
    const url = await ui.url;
    const page = await (await fetch(`${url}/`)).text();
    assert.match(page, /cli-exp/);
    const token = /name="tracklab-csrf" content="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await fetch(`${url}/ui-api/runs/${runId}/note`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tracklab-csrf': token }, body: '{"text":"x"}' });
    assert.equal(res.status, 403);
    assert.match((await res.json() as { message: string }).message, /read-only/);
  } finally {
    const { code, out } = await ui.stop();
    assert.equal(code, 0);
    assert.match(out, /read-only/);
    assert.match(out, /stopped/);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
