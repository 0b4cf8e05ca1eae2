/**
 * The `tracklab` command against every backend, as a real process given
 * `--tracking-uri` and `--artifact-root` only: info, listings, one run,
 * metrics, export, delete and restore, gc, experiment management, the
 * registry (list, show, versions, aliases), and `tracklab run`
 * of a notebook through the real tslab kernel (whose runs reach the same store).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/registry-client';
import { ensureBuilt, repoRoot } from '../support/jupyter';
import { trainRun } from '../registry/helpers';
import { testStores, type TestStore } from '../support/test-stores';
import { projectWithNotebook } from '../projects/runner-fixtures';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

function tracklab(store: TestStore, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--tracking-uri', store.uri, '--artifact-root', store.artifactRoot, ...args], {
    // Nothing from this process's environment may choose the store.
    env: { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function ok(store: TestStore, args: readonly string[]): Promise<string> {
  const r = await tracklab(store, args);
  assert.equal(r.code, 0, `tracklab ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

for (const kind of testStores()) {
  describe(`the CLI on ${kind.name}`, { skip: kind.skip }, () => {
    test('every command works given --tracking-uri and --artifact-root', async () => {
      ensureBuilt();
      const store = kind.create();
      try {
        const client = store.client();
        const run = await client.createRun({ experiment: 'cli', name: 'first', params: { lr: 0.1 } });
        for (let step = 0; step < 50; step++) client.logMetric(run.runId, 'loss', 1 / (step + 1), step);
        await client.logArtifact(run.runId, { json: { hello: 'world' } }, 'config.json');
        await client.setTerminated(run.runId);
        const trained = await trainRun(client, 'cli-models', 2, { rmse: 0.1 });
        await new RegistryClient({ tracking: client }).registerModel(trained.modelUri, 'line');
        await client.close();

        const info = JSON.parse(await ok(store, ['info', '--json'])) as Record<string, unknown>;
        assert.equal(info.backend, kind.name);
        assert.equal(info.source, 'option');
        assert.equal(info.artifactRoot, store.artifactRoot);
        assert.equal(info.experiments, 2);
        assert.match(await ok(store, ['info']), new RegExp(`artifacts +${store.artifactRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

        assert.match(await ok(store, ['experiments']), /cli/);
        const runs = JSON.parse(await ok(store, ['runs', '-e', 'cli', '--json'])) as { runs: { info: { runId: string } }[] };
        assert.deepEqual(runs.runs.map((r) => r.info.runId), [run.runId]);
        const shown = await ok(store, ['run', 'show', run.runId]);
        assert.match(shown, /first/);
        assert.match(shown, /config\.json/);
        const history = JSON.parse(await ok(store, ['metrics', run.runId, 'loss', '--format', 'json'])) as unknown[];
        assert.equal(history.length, 50);
        const arrow = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-')), 'h.arrow');
        await ok(store, ['export', '-e', 'cli', '--output', arrow]);
        assert.ok(fs.statSync(arrow).size > 0);
        await ok(store, ['runs', 'delete', run.runId]);
        assert.deepEqual(JSON.parse(await ok(store, ['runs', '-e', 'cli', '--json'])).runs, []);
        await ok(store, ['runs', 'restore', run.runId]);
        assert.match(await ok(store, ['gc', '--dry-run']), /\d/);
        assert.match(await ok(store, ['models', 'list']), /line/);
        assert.match(await ok(store, ['models', 'show', 'line']), /line/);
        assert.match(await ok(store, ['models', 'versions', 'line']), new RegExp(trained.runId));
        await ok(store, ['models', 'alias', 'set', 'line', 'champion', '1']);
        assert.match(await ok(store, ['models', 'show', 'line']), /champion/);
        await ok(store, ['models', 'alias', 'delete', 'line', 'champion']);
        assert.match(await ok(store, ['models', 'rename', 'line', 'curve']), /^renamed model "line" to "curve"/);
        assert.match(await ok(store, ['models', 'versions', 'curve']), new RegExp(trained.runId));
        await ok(store, ['models', 'rename', 'curve', 'line']);
        await ok(store, ['experiments', 'create', 'made-here']);
        await ok(store, ['experiments', 'rename', 'made-here', 'renamed-here']);
        await ok(store, ['experiments', 'delete', 'renamed-here']);
        assert.doesNotMatch(await ok(store, ['experiments']), /renamed-here/);
        await ok(store, ['experiments', 'restore', 'renamed-here']);
        assert.match(await ok(store, ['experiments']), /renamed-here/);

        // A notebook run: the kernel finds the store through the environment the runner gives it.
        const { notebook } = projectWithNotebook();
        const out = await ok(store, ['run', notebook, '-P', 'lr=0.5', '--experiment', 'nb']);
        const id = /^run (\S+) \((\w+)\) FINISHED$/m.exec(out);
        assert.ok(id, out);
        const again = store.client();
        const project = await again.getRun(id[2]!);
        assert.equal(project.data.params.lr, '0.5');
        const { runs: children } = await again.searchRuns({ filter: `attributes.parent_run_id = '${project.info.runId}'` });
        assert.equal(children.length, 1, 'the notebook logged its own run into the same store');
        assert.equal(children[0]!.data.params.lr, '0.5');
        assert.ok((await again.listArtifacts(project.info.runId)).some((a) => a.path === 'notebook.ipynb'));
      } finally {
        await store.cleanup();
      }
    });
  });
}
