/**
 * Which store and artifact folder a process uses: configure({ trackingUri,
 * artifactRoot }) > TRACKLAB_TRACKING_URI and TRACKLAB_ARTIFACT_ROOT >
 * TRACKLAB_HOME > the `.tracklab` found from the working directory; runs land
 * in the store the order picks. A PostgreSQL store keeps no files, so without
 * an artifact root the error (and `tracklab info`) says how to set one, and
 * what was logged without artifacts is kept.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { resetSettings, resolveStore, setSettings } from '../../src/tracking/settings';
import { freshDatabase, postgresSkip } from '../support/postgres-cluster';

const NAMES = ['TRACKLAB_TRACKING_URI', 'TRACKLAB_ARTIFACT_ROOT', 'TRACKLAB_HOME'] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

afterEach(() => {
  resetSettings();
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-settings-'));

test('the store: option > configure({ trackingUri }) > TRACKLAB_TRACKING_URI > TRACKLAB_HOME > discovery', () => {
  const dir = tempDir();
  process.env.TRACKLAB_HOME = path.join(dir, 'home');
  process.env.TRACKLAB_TRACKING_URI = 'postgresql://ana:pw@db.example:5432/team';
  setSettings({ trackingUri: `sqlite:///${dir}/configured/runs.db` });

  const optioned = resolveStore({ trackingUri: path.join(dir, 'given') });
  assert.deepEqual([optioned.source, optioned.uri.scheme, optioned.uri.scheme === 'sqlite' && optioned.uri.folder], ['option', 'sqlite', path.join(dir, 'given')]);

  const configured = resolveStore();
  assert.equal(configured.source, 'configure');
  assert.equal(configured.uri.scheme === 'sqlite' && configured.uri.file, path.join(dir, 'configured', 'runs.db'));

  resetSettings();
  const fromEnv = resolveStore();
  assert.deepEqual([fromEnv.source, fromEnv.uri.scheme, fromEnv.uri.display], ['TRACKLAB_TRACKING_URI', 'postgresql', 'postgresql://ana:***@db.example:5432/team']);

  process.env.TRACKLAB_TRACKING_URI = '';
  const home = resolveStore();
  assert.deepEqual([home.source, home.uri.scheme === 'sqlite' && home.uri.folder], ['TRACKLAB_HOME', path.join(dir, 'home')]);

  process.env.TRACKLAB_HOME = '';
  assert.ok(['found', 'project', 'cwd'].includes(resolveStore().source), 'with nothing set, the store is found from the working directory');
});

test('the artifact root: option > configure({ artifactRoot }) > TRACKLAB_ARTIFACT_ROOT > the store\'s own', async () => {
  const dir = tempDir();
  process.env.TRACKLAB_ARTIFACT_ROOT = `file://${dir}/env-artifacts`;
  setSettings({ artifactRoot: path.join(dir, 'configured-artifacts') });
  assert.equal(resolveStore({ artifactRoot: path.join(dir, 'given') }).artifactRoot, path.join(dir, 'given'));
  assert.equal(resolveStore().artifactRoot, path.join(dir, 'configured-artifacts'));
  resetSettings();
  assert.equal(resolveStore().artifactRoot, path.join(dir, 'env-artifacts'), 'a file:// URI names a folder');
  process.env.TRACKLAB_ARTIFACT_ROOT = '';
  assert.equal(resolveStore().artifactRoot, undefined);
  const client = new TrackingClient({ trackingUri: path.join(dir, 'store') });
  try {
    assert.equal(await client.artifactRoot(), path.join(dir, 'store', 'artifacts'), 'SQLite keeps artifacts inside its store folder by default');
  } finally {
    await client.close();
  }
});

test('runs land in the store the order picks: configure() over both environment variables', async () => {
  const dir = tempDir();
  process.env.TRACKLAB_HOME = path.join(dir, 'home');
  process.env.TRACKLAB_TRACKING_URI = path.join(dir, 'env');
  setSettings({ trackingUri: `sqlite:///${dir}/configured/tracklab.db`, artifactRoot: path.join(dir, 'shared') });
  const client = new TrackingClient();
  try {
    const run = await client.createRun({ experiment: 'where' });
    await client.logArtifact(run.runId, { text: 'hello' }, 'note.txt');
    await client.setTerminated(run.runId);
  } finally {
    await client.close();
  }
  assert.ok(fs.existsSync(path.join(dir, 'configured', 'tracklab.db')));
  assert.equal(fs.existsSync(path.join(dir, 'env')) || fs.existsSync(path.join(dir, 'home')), false, 'neither environment store was created');
  assert.ok(fs.readdirSync(path.join(dir, 'shared')).length > 0, 'the artifact went to the configured artifact root');
});

describe('a PostgreSQL store without an artifact root', { skip: postgresSkip() }, () => {
  test('says how to set one, keeps what was logged, and tracklab info names the problem', async () => {
    const db = freshDatabase();
    process.env.TRACKLAB_ARTIFACT_ROOT = '';
    process.env.TRACKLAB_TRACKING_URI = db.uri;
    const client = new TrackingClient();
    try {
      const run = await client.createRun({ experiment: 'team', params: { lr: 0.1 } });
      client.logMetric(run.runId, 'loss', 0.5, 0);
      await assert.rejects(client.logArtifact(run.runId, { text: 'x' }, 'x.txt'), (err: unknown) => {
        assert.ok(isTracklabError(err, 'INVALID_STATE'), String(err));
        assert.match(err.message, /needs? an artifact root|artifacts need an artifact root/);
        assert.match(err.message, /configure\(\{ artifactRoot/);
        assert.match(err.message, /TRACKLAB_ARTIFACT_ROOT=/);
        return true;
      });
      await client.setTerminated(run.runId);
      const stored = await client.getRun(run.runId);
      assert.deepEqual([stored.info.status, stored.data.params.lr, stored.data.metrics.loss?.last], ['FINISHED', '0.1', 0.5]);

      let out = '';
      const code = await main(['info'], { out: (t) => { out += `${t}\n`; }, err: (t) => { out += `${t}\n`; }, write: () => undefined });
      assert.equal(code, 0, out);
      assert.match(out, /artifacts +none set/);
      assert.match(out, /TRACKLAB_ARTIFACT_ROOT=/);
    } finally {
      await client.close();
      db.drop();
    }
  });

  test('still lists a run\'s artifacts, and `run show` shows the run: the manifest is in the database', async () => {
    const db = freshDatabase();
    const root = tempDir();
    process.env.TRACKLAB_ARTIFACT_ROOT = '';
    const writer = new TrackingClient({ trackingUri: db.uri, artifactRoot: root });
    const reader = new TrackingClient({ trackingUri: db.uri });
    try {
      const run = await writer.createRun({ experiment: 'team' });
      await writer.logArtifact(run.runId, { text: 'hello' }, 'notes/hello.txt');
      await writer.setTerminated(run.runId);
      assert.ok((await reader.listArtifacts(run.runId)).some((a) => a.path === 'notes/hello.txt'), 'the artifact is listed');

      let out = '';
      const code = await main(['run', 'show', run.runId, '--tracking-uri', db.uri], { out: (t) => { out += `${t}\n`; }, err: (t) => { out += `${t}\n`; }, write: () => undefined });
      assert.equal(code, 0, out);
      assert.match(out, /notes\/hello\.txt +5 /);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
      db.drop();
    }
  });
});
