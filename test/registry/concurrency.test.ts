/**
 * Version numbers stay unique and gap-free when three processes register
 * into one model at the same moment, and identical content registered by
 * all of them becomes one version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { tempHome, trainRun } from './helpers';

interface ChildOutput { versions: number[]; code: number | null; stderr: string }

function startChild(home: string, name: string, uris: readonly string[]): { ready: Promise<void>; go(): void; done: Promise<ChildOutput> } {
  const script = path.join(__dirname, 'fixtures', `register-child${path.extname(__filename)}`);
  const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const proc = spawn(process.execPath, [...nodeArgs, home, name, ...uris], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { onReady = resolve; });
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) onReady();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<ChildOutput>((resolve) => {
    proc.on('exit', (code) => {
      const line = stdout.split('\n')[1] ?? '';
      resolve({ versions: line ? JSON.parse(line) as number[] : [], code, stderr });
    });
  });
  return { ready, go: () => proc.stdin.end('go\n'), done };
}

test('three processes registering at once get distinct, gap-free versions; shared content gets one', async () => {
  const home = tempHome();
  const tracking = new TrackingClient({ home });
  const shared = await trainRun(tracking, 'race', 0.5, { rmse: 1 });
  const own: string[][] = [];
  for (let c = 0; c < 3; c++) {
    const uris: string[] = [];
    for (let i = 0; i < 3; i++) uris.push((await trainRun(tracking, 'race', 10 * c + i + 1, { rmse: 1 })).modelUri);
    own.push(uris);
  }
  const children = own.map((uris, c) => startChild(home, 'raced', c === 1 ? [shared.modelUri, ...uris] : [...uris, shared.modelUri]));
  await Promise.all(children.map((c) => c.ready));
  children.forEach((c) => c.go());
  const results = await Promise.all(children.map((c) => c.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);

  const sharedVersions = new Set(results.map((r, c) => (c === 1 ? r.versions[0] : r.versions[3])));
  assert.equal(sharedVersions.size, 1, 'identical content is one version, whoever registered it first');
  const all = new Set(results.flatMap((r) => r.versions));
  assert.deepEqual([...all].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  const registry = new RegistryClient({ tracking });
  const stored = (await registry.searchModelVersions({ filter: "name = 'raced'" })).modelVersions;
  assert.equal(stored.length, 10);
  assert.ok(stored.every((v) => v.status === 'READY'));
  assert.equal(new Set(stored.map((v) => v.contentHash)).size, 10);
  registry.close();
  await tracking.close();
});
