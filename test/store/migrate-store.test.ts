/**
 * `tracklab migrate-store`: a solo SQLite history (experiments, one deleted;
 * runs with many points, NaN/±Infinity/-0, params, tags, a deleted run, a
 * crashed one; artifacts; cells; datasets; registered models with versions,
 * tags and aliases) moves into a fresh PostgreSQL database, and every field
 * read back through the clients is the same. Then back into a new SQLite
 * store, whose tables hash exactly as the original's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { RegistryClient } from '../../src/registry/registry-client';
import { checkTables } from '../../src/store/copy-store';
import { openStore } from '../../src/store/open-store';
import { TrackingClient } from '../../src/tracking/client';
import { captureIo as capture } from '../support/cli-io';
import { freshDatabase } from '../support/postgres-cluster';
import { trainRun } from '../registry/helpers';

function bits(values: ArrayLike<number>): string {
  return Buffer.from(Float64Array.from(values).buffer).toString('hex');
}

describe('migrate-store: SQLite to PostgreSQL and back', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-migrate-'));
  const home = path.join(temp, 'solo');
  const teamArtifacts = path.join(temp, 'team-artifacts');
  const back = path.join(temp, 'back');
  const db = freshDatabase();
  const runIds: string[] = [];
  let solo: TrackingClient;
  let team: TrackingClient;

  before(async () => {
    solo = new TrackingClient({ trackingUri: home });
    const registry = new RegistryClient({ tracking: solo });
    await solo.createExperiment('vision', { description: 'digits', tags: { team: 'cv' } });
    await solo.createExperiment('nlp');
    await solo.createExperiment('abandoned');
    await solo.deleteExperiment('abandoned');
    for (let r = 0; r < 6; r++) {
      const { runId } = await solo.createRun({ experiment: r % 2 ? 'nlp' : 'vision', params: { lr: 0.1 / (r + 1), layers: r }, tags: { seed: String(r) } });
      runIds.push(runId);
      const n = 5000 + r * 1000;
      const points = Array.from({ length: n }, (_, i) => ({ key: 'loss', value: i === 7 ? NaN : i === 8 ? -0 : i === 9 ? Infinity : 1 / (i + 1), step: i, timestamp: 1_700_000_000_000 + i * 3 }));
      for (let i = 0; i < points.length; i += 1000) await solo.logBatch(runId, { metrics: points.slice(i, i + 1000) });
      await solo.logBatch(runId, { metrics: [{ key: 'acc', value: r / 10, step: 0 }] });
      await solo.logArtifact(runId, Buffer.from(`notes of run ${r}\n`), 'notes.txt');
      await solo.recordCell({ runId, seq: 0, executionCount: 1, source: `train(${r})`, startTime: 1, endTime: 2, status: 'ok', error: null });
      await solo.logInput(runId, [{ x: 1, y: r }, { x: 2, y: r + 1 }], { name: 'tiny', context: r % 2 ? 'training' : 'eval' });
      if (r === 4) await solo.setTerminated(runId, 'FAILED', 'diverged');
      else if (r !== 5) await solo.setTerminated(runId);
    }
    await solo.deleteRun(runIds[3]);
    for (const slope of [2, 3]) {
      const trained = await trainRun(solo, 'vision', slope, { rmse: slope / 10 });
      runIds.push(trained.runId);
      await registry.registerModel(trained.modelUri, 'line', { description: `slope ${slope}`, tags: { slope: String(slope) } });
    }
    await registry.setRegisteredModelAlias('line', 'champion', 2);
    await registry.setRegisteredModelAlias('line', 'previous', 1);
    await registry.setRegisteredModelTag('line', 'owner', 'ana');
    await solo.flush();

    const io = capture();
    const code = await main(['migrate-store', '--from', home, '--to', db.uri, '--to-artifact-root', teamArtifacts], io);
    assert.equal(code, 0, io.stderr);
    team = new TrackingClient({ trackingUri: db.uri, artifactRoot: teamArtifacts });
  });

  after(async () => {
    await solo.close();
    await team.close();
    db.drop();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('keeps every experiment, with ids, times, tags and lifecycle', async () => {
    const a = await solo.searchExperiments({ viewType: 'all' });
    const b = await team.searchExperiments({ viewType: 'all' });
    assert.ok(a.experiments.length >= 3);
    assert.deepEqual(b.experiments, a.experiments);
  });

  it('keeps every run field by field: info, params, tags, metric summaries', async () => {
    for (const id of runIds) assert.deepEqual(await team.getRun(id), await solo.getRun(id), id);
    const deleted = await team.getRun(runIds[3]);
    assert.equal(deleted.info.lifecycleStage, 'deleted');
  });

  it('keeps every metric point bit for bit, in order', async () => {
    for (const id of runIds) {
      const [a, b] = [await solo.metricColumns(id), await team.metricColumns(id)];
      assert.equal(b.length, a.length, id);
      a.forEach((block, i) => {
        assert.deepEqual([b[i].runId, b[i].key], [block.runId, block.key]);
        assert.equal(bits(b[i].values), bits(block.values));
        assert.equal(bits(b[i].steps), bits(block.steps));
        assert.equal(bits(b[i].timestamps), bits(block.timestamps));
      });
    }
    const loss = (await team.getRun(runIds[0])).data.metrics.loss;
    assert.equal(loss.count, 5000);
  });

  it('keeps artifacts (manifests and bytes), cells and dataset inputs', async () => {
    for (const id of runIds) {
      assert.deepEqual(await team.listArtifacts(id), await solo.listArtifacts(id));
      assert.deepEqual(await team.listCells(id), await solo.listCells(id));
    }
    assert.deepEqual(await team.listInputs(runIds), await solo.listInputs(runIds));
    assert.equal((await team.openArtifact(runIds[2], 'notes.txt')).toString(), 'notes of run 2\n');
    assert.ok(fs.readdirSync(path.join(teamArtifacts, 'sha256')).length > 0);
  });

  it('keeps the registry: models, versions, tags, aliases and pinned files', async () => {
    const a = new RegistryClient({ tracking: solo });
    const b = new RegistryClient({ tracking: team });
    assert.deepEqual(await b.getRegisteredModel('line'), await a.getRegisteredModel('line'));
    assert.deepEqual(await b.searchModelVersions({ filter: "name = 'line'" }), await a.searchModelVersions({ filter: "name = 'line'" }));
    assert.equal((await b.getModelVersionByAlias('line', 'champion')).version, 2);
    // New versions continue the numbering, and the copied model can be loaded from the team's store.
    const more = await trainRun(team, 'vision', 4, { rmse: 0.4 });
    assert.equal((await b.registerModel(more.modelUri, 'line')).version, 3);
  });

  it('refuses a destination that is not empty, and copies back into SQLite identical: table hashes, runs, points, artifact bytes, registry', async () => {
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', home, '--to', db.uri, '--to-artifact-root', teamArtifacts], io), 1);
    assert.match(io.stderr, /already holds experiments/);

    const fresh = freshDatabase();
    try {
      const copy = capture();
      assert.equal(await main(['migrate-store', '--from', home, '--to', fresh.uri, '--to-artifact-root', teamArtifacts, '--json'], copy), 0, copy.stderr);
      const again = capture();
      assert.equal(await main(['migrate-store', '--from', fresh.uri, '--from-artifact-root', teamArtifacts, '--to', back], again), 0, again.stderr);
      let points = 0;
      for (const id of runIds) for (const c of await solo.metricColumns(id)) points += c.steps.length;
      assert.match(again.stderr, new RegExp(`^copied and verified ${points.toLocaleString('en')} metric points of ${runIds.length} runs \\(\\d+ rows in all\\)$`, 'm'));
      const [original, returned] = [await openStore(home), await openStore(back)];
      try {
        assert.deepEqual(await checkTables(returned.transfer!()), await checkTables(original.transfer!()));
      } finally {
        await original.close();
        await returned.close();
      }
      // The same, read through the clients: runs, points, artifact bytes (in the SQLite store's own folder) and the registry.
      const home2 = new TrackingClient({ trackingUri: back });
      try {
        assert.deepEqual(await home2.searchExperiments({ viewType: 'all' }), await solo.searchExperiments({ viewType: 'all' }));
        for (const id of runIds) {
          assert.deepEqual(await home2.getRun(id), await solo.getRun(id), id);
          const [a, b] = [await solo.metricColumns(id), await home2.metricColumns(id)];
          assert.deepEqual(b.map((c) => [c.key, bits(c.values), bits(c.steps), bits(c.timestamps)]), a.map((c) => [c.key, bits(c.values), bits(c.steps), bits(c.timestamps)]), id);
          const artifacts = await home2.listArtifacts(id);
          assert.deepEqual(artifacts, await solo.listArtifacts(id), id);
          for (const file of artifacts) assert.deepEqual(await home2.openArtifact(id, file.path), await solo.openArtifact(id, file.path), `${id}/${file.path}`);
        }
        const [a, b] = [new RegistryClient({ tracking: solo }), new RegistryClient({ tracking: home2 })];
        assert.deepEqual(await b.getRegisteredModel('line'), await a.getRegisteredModel('line'));
        assert.deepEqual(await b.searchModelVersions({ filter: "name = 'line'" }), await a.searchModelVersions({ filter: "name = 'line'" }));
      } finally {
        await home2.close();
      }
    } finally {
      fresh.drop();
    }
  });
});
