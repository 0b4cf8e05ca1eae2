/**
 * `tracklab models ...` against a real store: listings as tables and JSON,
 * alias set/delete, clear errors, and `serve` as a real process answering
 * MLflow's scoring protocol on loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { models } from '../../src/cli/commands/models';
import { UsageError } from '../../src/cli/args';
import type { Io } from '../../src/cli/output';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { codeOf, tempHome, trainRun, type LoggedRun } from './helpers';

function capture(): Io & { text(): string } {
  const out: string[] = [];
  return { out: (t) => out.push(t), err: (t) => out.push(`ERR ${t}`), write: () => undefined, text: () => out.join('\n') };
}

describe('tracklab models', () => {
  let home: string;
  let tracking: TrackingClient;
  let runs: LoggedRun[];

  const run = async (...argv: string[]): Promise<string> => {
    const io = capture();
    await models(tracking, argv, io);
    return io.text();
  };

  before(async () => {
    home = tempHome();
    tracking = new TrackingClient({ home });
    runs = [await trainRun(tracking, 'cli', 1, { rmse: 0.3 }), await trainRun(tracking, 'cli', 2, { rmse: 0.2 })];
    const registry = new RegistryClient({ tracking });
    await registry.registerModel(runs[0].modelUri, 'cli-model', { description: 'first' });
    await registry.registerModel(runs[1].modelUri, 'cli-model');
    await registry.createRegisteredModel('empty-model');
    registry.close();
  });

  after(async () => { await tracking.close(); });

  it('lists models and versions as tables and JSON', async () => {
    const listed = await run('list');
    assert.match(listed, /^name\s+latest\s+aliases\s+updated\s+description$/m);
    assert.match(listed, /^cli-model\s+2\s/m);
    assert.match(listed, /^empty-model\s/m);
    assert.deepEqual((JSON.parse(await run('list', '--json', '--filter', "name LIKE 'cli%'")) as { registeredModels: { name: string }[] }).registeredModels.map((m) => m.name), ['cli-model']);

    const versions = await run('versions', 'cli-model');
    assert.match(versions, /^cli-model: 2 versions$/m);
    assert.match(versions, new RegExp(`^\\s*2\\s+READY\\s+\\S+ \\S+\\s+${runs[1].runId}\\s+${runs[1].modelUri.replace(/[/]/g, '\\/')}$`, 'm'));
    const json = JSON.parse(await run('versions', 'cli-model', '--json')) as { modelVersions: { version: number; runId: string }[] };
    assert.deepEqual(json.modelVersions.map((v) => [v.version, v.runId]), [[2, runs[1].runId], [1, runs[0].runId]]);

    const shown = await run('show', 'cli-model');
    assert.match(shown, /^name\s+cli-model$/m);
    assert.match(shown, /^latest\s+v2$/m);
    assert.match(shown, /^cli-model: 2 versions$/m);
    assert.match(shown, /rmse/);
  });

  it('sets, moves and deletes aliases, with clear errors', async () => {
    assert.equal(await run('alias', 'set', 'cli-model', 'champion', '1'), 'models:/cli-model@champion → version 1');
    await run('alias', 'set', 'cli-model', 'champion', '2');
    assert.match(await run('list'), /@champion→v2/);
    assert.equal(await run('alias', 'delete', 'cli-model', 'champion'), 'deleted alias @champion of cli-model');
    await assert.rejects(run('alias', 'delete', 'cli-model', 'champion'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST' && /has no alias "champion"/.test((e as Error).message));
    await assert.rejects(run('alias', 'set', 'cli-model', 'latest', '1'), /reserved/);
    await assert.rejects(run('alias', 'set', 'cli-model', 'x', 'two'), /whole number/);
    await assert.rejects(run('alias', 'set', 'cli-model'), UsageError);
    await assert.rejects(run('versions', 'nope'), /No registered model named "nope"/);
    await assert.rejects(run(), /needs a subcommand/);
    await assert.rejects(run('frobnicate'), /Unknown subcommand "models frobnicate"/);
    await assert.rejects(run('serve', 'models:/cli-model/1', '--port', '99999'), /--port takes a whole number/);
  });

  it('serves a registered model over HTTP with MLflow\'s scoring protocol until stopped', async () => {
    const registry = new RegistryClient({ tracking });
    await registry.setRegisteredModelAlias('cli-model', 'prod', 2);
    registry.close();
    const script = path.join(__dirname, 'fixtures', `serve-child${path.extname(__filename)}`);
    const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
    const child = spawn(process.execPath, [...nodeArgs, home, 'serve', 'models:/cli-model@prod', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          stdout += c;
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) resolve(m[1]);
        });
        void exited.then(() => reject(new Error(`serve exited early:\n${stdout}\n${stderr}`)));
      });
      assert.equal((await fetch(`${url}/ping`)).status, 200);
      const response = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [1, 4] }) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { predictions: runs[1].model.predict([1, 4]) });
      const bad = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [1,' });
      assert.equal(bad.status, 400);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /stopped/);
  });
});
