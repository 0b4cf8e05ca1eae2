// `tracklab ui` on every backend the client resolves (the embedded SQLite and PostgreSQL), given only
// --tracking-uri and --artifact-root: the experiments page, the runs page, a run's page with its chart
// data and artifact, and a change (a note) that persists in that store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { testStores } from '../support/test-stores';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

for (const kind of testStores()) {
  describe(`tracklab ui on ${kind.name}`, { skip: kind.skip }, () => {
    test('serves the store --tracking-uri names: pages, a run, its artifact, and a note that persists', async () => {
      const store = kind.create();
      const proc = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--tracking-uri', store.uri, '--artifact-root', store.artifactRoot], {
        env: { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
      try {
        const client = store.client();
        const run = await client.createRun({ experiment: 'ui-backend', name: 'ui-run', params: { lr: 0.1 } });
        for (let step = 0; step < 20; step++) client.logMetric(run.runId, 'loss', 1 / (step + 1), step);
        await client.logArtifact(run.runId, { text: 'hello from the artifact' }, 'notes.txt');
        await client.setTerminated(run.runId);
        const url = await new Promise<string>((resolve, reject) => {
          proc.stdout.setEncoding('utf8').on('data', (c: string) => {
            out += c;
            const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m) resolve(m[1]);
          });
          proc.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
          void exited.then(() => reject(new Error(`tracklab ui exited: ${out}${err}`)));
        });
        assert.doesNotMatch(out, /s3cret/, 'a password never shows');
        const home = await (await fetch(`${url}/`)).text();
        assert.match(home, /ui-backend/);
        const runs = await (await fetch(`${url}/experiments/${run.experimentId}`)).text();
        assert.match(runs, /ui-run/);
        const page = await fetch(`${url}/runs/${run.runId}`);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /ui-run/);
        const chart = await fetch(`${url}/ui-api/runs/${run.runId}/chart?key=loss`);
        assert.equal(chart.status, 200);
        assert.match(await chart.text(), /"loss"|loss/);
        const artifact = await fetch(`${url}/ui-api/runs/${run.runId}/artifact?path=notes.txt`);
        assert.equal(artifact.status, 200);
        assert.match(await artifact.text(), /hello from the artifact/);
        const token = /name="tracklab-csrf" content="([^"]+)"/.exec(html)?.[1] ?? '';
        const note = await fetch(`${url}/ui-api/runs/${run.runId}/note`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-tracklab-csrf': token }, body: '{"text":"seen on every backend"}',
        });
        assert.equal(note.status < 300, true, `note: ${note.status} ${await note.text()}`);
        const reread = store.client();
        assert.equal((await reread.getRun(run.runId)).data.tags['tracklab.note'], 'seen on every backend');
      } finally {
        proc.kill('SIGTERM');
        assert.equal(await exited, 0, err);
        await store.cleanup();
      }
    });
  });
}

const postgres = testStores().find((k) => k.name === 'postgresql')!;
describe('tracklab ui on postgresql without --artifact-root', { skip: postgres.skip }, () => {
  test('a run page lists its artifacts, and a preview says how to give the artifact root, the page whole', async () => {
    const store = postgres.create();
    const proc = spawn(process.execPath, [CLI, 'ui', '--port', '0', '--tracking-uri', store.uri], {
      env: { ...process.env, TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    try {
      const client = store.client();
      const run = await client.createRun({ experiment: 'ui-no-root', name: 'rootless-run' });
      await client.logArtifact(run.runId, { text: 'hello' }, 'notes.txt');
      await client.setTerminated(run.runId);
      const url = await new Promise<string>((resolve, reject) => {
        proc.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        proc.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
        void exited.then(() => reject(new Error(`tracklab ui exited: ${out}${err}`)));
      });
      const preview = await fetch(`${url}/runs/${run.runId}?artifact=notes.txt`);
      const html = await preview.text();
      assert.equal(preview.status, 200, html);
      assert.match(html, /rootless-run/);
      assert.match(html, /notes\.txt/);
      assert.match(html, /--artifact-root/);
    } finally {
      proc.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      await store.cleanup();
    }
  });
});
