/**
 * `migrate-store --merge`: a team's PostgreSQL store that already holds one
 * member's history takes a second member's SQLite store. Same-named
 * experiments are joined, an experiment id the team store gives to another
 * name is replaced, a dataset both know is linked once, registered models get
 * new ids; every run of both reads back as in its own store, and nothing the
 * team store held changes. A second merge of the same store, a registered
 * model name in both, and a copy the destination alters are refused with
 * nothing written. The same merge into a SQLite store covers its side.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main';
import { RegistryClient } from '../../src/registry/registry-client';
import { checkTables, copyStore } from '../../src/store/copy-store';
import { openStore } from '../../src/store/open-store';
import type { StoreTransfer } from '../../src/store/store-transfer';
import { TrackingClient } from '../../src/tracking/client';
import type { Run } from '../../src/entities';
import { captureIo as capture } from '../support/cli-io';
import { freshDatabase, testCluster } from '../support/postgres-cluster';
import { trainRun } from '../registry/helpers';

const psql = (database: string, sql: string) => testCluster().psql(sql, database);

const DIGITS = [{ pixel: 0, label: 1 }, { pixel: 255, label: 7 }];

/** A member's solo store: runs in Default and in `vision` (tags of its own), the shared dataset, one registered model. */
async function soloStore(home: string, who: string, model: string, options: { speech?: boolean } = {}): Promise<string[]> {
  const solo = new TrackingClient({ trackingUri: home });
  const registry = new RegistryClient({ tracking: solo });
  try {
    const runIds: string[] = [];
    await solo.createExperiment('vision', { description: `${who}'s digits`, tags: { team: who === 'ana' ? 'cv' : 'vision', [`by_${who}`]: 'yes' } });
    if (options.speech) await solo.createExperiment('speech', { tags: { sr: '16k' } });
    for (const experiment of ['Default', 'vision', ...(options.speech ? ['speech'] : [])]) {
      const { runId } = await solo.createRun({ experiment, params: { who, lr: 0.01 }, tags: { seed: '1' } });
      await solo.logBatch(runId, { metrics: Array.from({ length: 3000 }, (_, i) => ({ key: 'loss', value: i === 5 ? NaN : 1 / (i + 1), step: i, timestamp: 1_700_000_000_000 + i })) });
      await solo.logArtifact(runId, Buffer.from(`${who} in ${experiment}\n`), 'notes.txt');
      await solo.logInput(runId, DIGITS, { name: 'digits', context: 'training' });
      await solo.logInput(runId, [{ who }], { name: `${who}-only`, context: 'eval' });
      await solo.setTerminated(runId);
      runIds.push(runId);
    }
    for (const slope of [who.length, who.length + 1]) {
      const trained = await trainRun(solo, 'vision', slope, { rmse: slope / 10 });
      runIds.push(trained.runId);
      await registry.registerModel(trained.modelUri, model);
    }
    await registry.setRegisteredModelTag(model, 'owner', who);
    await registry.setRegisteredModelAlias(model, 'champion', 2);
    await solo.flush();
    return runIds;
  } finally {
    await solo.close();
  }
}

async function withClient<T>(uri: string, use: (client: TrackingClient) => Promise<T>, artifactRoot?: string): Promise<T> {
  const client = new TrackingClient({ trackingUri: uri, ...(artifactRoot ? { artifactRoot } : {}) });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** A run as its own store shows it, and as the merged store must: all but the experiment id, which the merge may map. */
function withoutExperiment(run: Run): unknown {
  return { ...run, info: { ...run.info, experimentId: undefined } };
}

async function snapshot(uri: string, runIds: readonly string[], artifactRoot?: string) {
  return withClient(uri, async (client) => {
    const runs: unknown[] = [];
    for (const id of runIds) {
      const run = await client.getRun(id);
      runs.push({ run, columns: (await client.metricColumns(id)).map((c) => [c.key, Buffer.from(c.values.buffer).toString('hex'), [...c.steps]]),
        artifacts: await client.listArtifacts(id), notes: (await client.openArtifact(id, 'notes.txt').catch(() => null))?.toString() ?? null });
    }
    return { runs, inputs: await client.listInputs(runIds), experiments: await client.searchExperiments({ viewType: 'all' }) };
  }, artifactRoot);
}

describe('migrate-store --merge: a second member joins the team store', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-merge-'));
  const [ana, bo, cy] = ['ana', 'bo', 'cy'].map((who) => path.join(temp, who));
  const artifacts = path.join(temp, 'team-artifacts');
  const team = freshDatabase();
  let anaRuns: string[];
  let boRuns: string[];
  let anaBefore: Awaited<ReturnType<typeof snapshot>>;
  let collidingId: string;

  before(async () => {
    anaRuns = await soloStore(ana, 'ana', 'line');
    boRuns = await soloStore(bo, 'bo', 'curve', { speech: true });
    await soloStore(cy, 'cy', 'line');
    // bo's "speech" has the id of ana's "vision", as two stores can have by chance (or an old store's numeric ids).
    collidingId = await withClient(ana, async (c) => (await c.getExperiment('vision')).experimentId);
    const db = new Database(path.join(bo, 'tracklab.db'));
    db.pragma('foreign_keys = OFF');
    const speech = (db.prepare("SELECT experiment_id FROM experiments WHERE name = 'speech'").get() as { experiment_id: string }).experiment_id;
    for (const table of ['experiments', 'experiment_tags', 'runs']) db.prepare(`UPDATE ${table} SET experiment_id = ? WHERE experiment_id = ?`).run(collidingId, speech);
    db.close();

    const io = capture();
    assert.equal(await main(['migrate-store', '--from', ana, '--to', team.uri, '--to-artifact-root', artifacts], io), 0, io.stderr);
    anaBefore = await snapshot(team.uri, anaRuns, artifacts);
  });

  after(() => {
    team.drop();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('without --merge, a store that holds work is refused with the flag to use, and nothing is written', async () => {
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', bo, '--to', team.uri, '--to-artifact-root', artifacts], io), 1);
    assert.match(io.stderr, /already holds experiments or registered models\. To add this store to it .* add --merge/);
    assert.deepEqual(await snapshot(team.uri, anaRuns, artifacts), anaBefore);
  });

  it('merges: every run of both reads back as in its own store, experiments joined by name, an id taken by another name replaced', async () => {
    const boBefore = await snapshot(bo, boRuns);
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', bo, '--to', team.uri, '--to-artifact-root', artifacts, '--merge'], io), 0, io.stderr);
    assert.match(io.stderr, /^experiment "vision": its 3 runs join the destination's experiment of that name \(id \w+\)$/m);
    assert.match(io.stderr, /^experiment "Default": its 1 run joins the destination's experiment of that name/m);
    assert.match(io.stderr, new RegExp(`^experiment "speech" has the new id (\\w+): its id ${collidingId} belongs to another experiment in the destination$`, 'm'));
    assert.match(io.stderr, /^copied and verified 9,002 metric points of 5 runs/m);

    const after = await snapshot(team.uri, [...anaRuns, ...boRuns], artifacts);
    assert.deepEqual(after.runs.slice(0, anaRuns.length), anaBefore.runs, 'the team store\'s runs are untouched');
    const boAfter = after.runs.slice(anaRuns.length) as { run: Run }[];
    assert.deepEqual(boAfter.map((r) => ({ ...r, run: withoutExperiment(r.run) })),
      (boBefore.runs as { run: Run }[]).map((r) => ({ ...r, run: withoutExperiment(r.run) })));
    assert.deepEqual(after.inputs.filter((i) => boRuns.includes(i.runId)), boBefore.inputs);

    await withClient(team.uri, async (client) => {
      const vision = await client.getExperiment('vision');
      assert.equal(vision.experimentId, collidingId);
      assert.equal(vision.description, "ana's digits", 'the destination keeps its description');
      assert.deepEqual({ ...vision.tags }, { team: 'cv', by_ana: 'yes', by_bo: 'yes' }, 'bo\'s tag added, ana\'s value of "team" kept');
      const inVision = await client.searchRuns({ experiments: [vision.experimentId], filter: "params.lr = '0.01'" });
      assert.deepEqual(new Set(inVision.runs.map((r) => r.data.params.who)), new Set(['ana', 'bo']));
      const speech = await client.getExperiment('speech');
      assert.notEqual(speech.experimentId, collidingId);
      assert.deepEqual({ ...speech.tags }, { sr: '16k' });
      assert.equal((await client.searchRuns({ experiments: [speech.experimentId] })).runs.length, 1);
      const names = (await client.searchExperiments({ viewType: 'all' })).experiments.map((e) => e.name).sort();
      assert.deepEqual(names, ['Default', 'speech', 'vision']);
    }, artifacts);
  });

  it('links a dataset both stores know once, and gives registered models new ids with versions and aliases kept', async () => {
    await withClient(team.uri, async (client) => {
      const inputs = await client.listInputs([...anaRuns, ...boRuns]);
      const digits = new Set(inputs.filter((i) => i.dataset.name === 'digits').map((i) => i.dataset.digest));
      assert.equal(digits.size, 1);
      const registry = new RegistryClient({ tracking: client });
      const curve = await registry.getRegisteredModel('curve');
      assert.equal((await registry.getModelVersionByAlias('curve', 'champion')).version, 2);
      assert.equal((await registry.getModelVersionByAlias('line', 'champion')).version, 2, 'ana\'s model is untouched');
      assert.deepEqual({ ...curve.tags }, { owner: 'bo' });
      const next = await trainRun(client, 'vision', 5, { rmse: 0.5 });
      assert.equal((await registry.registerModel(next.modelUri, 'curve')).version, 3);
      assert.equal((await registry.registerModel(next.modelUri, 'line')).version, 3);
      const [one, two] = [await registry.getRegisteredModel('curve'), await registry.getRegisteredModel('line')];
      assert.notEqual(one.name, two.name);
    }, artifacts);
  });

  it('refuses the same store merged twice, and a registered model name in both, writing nothing', async () => {
    const before = await snapshot(team.uri, [...anaRuns, ...boRuns], artifacts);
    const again = capture();
    assert.equal(await main(['migrate-store', '--from', bo, '--to', team.uri, '--to-artifact-root', artifacts, '--merge'], again), 1);
    assert.match(again.stderr, /5 of the source's 5 runs are already in the destination \(first: \w+\): this store was copied there before\. Nothing was written\./);
    const clash = capture();
    assert.equal(await main(['migrate-store', '--from', cy, '--to', team.uri, '--to-artifact-root', artifacts, '--merge'], clash), 1);
    assert.match(clash.stderr, /Registered model "line" is in both stores\. Its versions .* in the source: tracklab --tracking-uri SOURCE models rename line line-2 .* then merge again\. Nothing was written\./);
    for (const io of [again, clash]) assert.doesNotMatch(io.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await snapshot(team.uri, [...anaRuns, ...boRuns], artifacts), before);
    // None of cy's runs: ana's 3, bo's 3 and the one trained in the team store above.
    await withClient(team.uri, async (client) => assert.equal((await client.searchRuns({ experiments: [(await client.getExperiment('vision')).experimentId] })).runs.length, 7), artifacts);

    // Done as the refusal says, the merge goes through.
    const renamed = capture();
    assert.equal(await main(['--tracking-uri', cy, 'models', 'rename', 'line', 'line-2'], renamed), 0, renamed.stderr);
    const merged = capture();
    assert.equal(await main(['migrate-store', '--from', cy, '--to', team.uri, '--to-artifact-root', artifacts, '--merge'], merged), 0, merged.stderr);
    // Cy's 3 runs join too.
    await withClient(team.uri, async (client) => {
      assert.equal((await client.searchRuns({ experiments: [(await client.getExperiment('vision')).experimentId] })).runs.length, 10);
      const registry = new RegistryClient({ tracking: client });
      assert.equal((await registry.getModelVersionByAlias('line-2', 'champion')).version, 2);
      assert.equal((await registry.getModelVersionByAlias('line', 'champion')).version, 2);
    }, artifacts);
  });

  it('a copy the team store alters is rolled back whole: it stays as it was', async () => {
    const other = freshDatabase();
    try {
      const copy = capture();
      assert.equal(await main(['migrate-store', '--from', ana, '--to', other.uri, '--to-artifact-root', artifacts], copy), 0, copy.stderr);
      psql(other.name, `CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.value := 'tampered'; RETURN NEW; END $$;
        CREATE TRIGGER tamper BEFORE INSERT ON tags FOR EACH ROW WHEN (NEW.key = 'seed') EXECUTE FUNCTION tamper();`);
      const before = await snapshot(other.uri, anaRuns, artifacts);
      const bad = capture();
      assert.equal(await main(['migrate-store', '--from', bo, '--to', other.uri, '--to-artifact-root', artifacts, '--merge'], bad), 1);
      assert.match(bad.stderr, /The copy does not match the source in tags \(\d+ rows written, \d+ found\), so none of it was kept/);
      assert.deepEqual(await snapshot(other.uri, anaRuns, artifacts), before);
      await withClient(other.uri, async (client) => {
        assert.deepEqual((await client.searchExperiments({ viewType: 'all' })).experiments.map((e) => e.name).sort(), ['Default', 'vision']);
        await assert.rejects(client.getRun(boRuns[0]), /RESOURCE_DOES_NOT_EXIST|not found|No run/i);
      }, artifacts);
    } finally {
      other.drop();
    }
  });

  it('merges into a SQLite store too, and a copy the destination alters is refused, naming the table, leaving it as it was', async () => {
    const mixed = path.join(temp, 'mixed');
    const copy = capture();
    assert.equal(await main(['migrate-store', '--from', ana, '--to', mixed], copy), 0, copy.stderr);
    const tampered = path.join(temp, 'tampered');
    fs.cpSync(mixed, tampered, { recursive: true });

    const io = capture();
    assert.equal(await main(['migrate-store', '--from', bo, '--to', mixed, '--merge'], io), 0, io.stderr);
    const [boSolo, merged] = [await snapshot(bo, boRuns), await snapshot(mixed, boRuns)];
    assert.deepEqual((merged.runs as { run: Run }[]).map((r) => ({ ...r, run: withoutExperiment(r.run) })),
      (boSolo.runs as { run: Run }[]).map((r) => ({ ...r, run: withoutExperiment(r.run) })));
    assert.deepEqual((await snapshot(mixed, anaRuns)).runs, (await snapshot(ana, anaRuns)).runs);

    const db = new Database(path.join(tampered, 'tracklab.db'));
    db.exec("CREATE TRIGGER tamper AFTER INSERT ON params BEGIN UPDATE params SET value = 'tampered' WHERE run_id = NEW.run_id AND key = 'who'; END");
    db.close();
    const store = await openStore(tampered);
    const tablesBefore = await checkTables(store.transfer!());
    await store.close();
    const bad = capture();
    assert.equal(await main(['migrate-store', '--from', bo, '--to', tampered, '--merge'], bad), 1);
    assert.match(bad.stderr, /The copy does not match the source in params \(\d+ rows written, \d+ found\)/);
    const reopened = await openStore(tampered);
    try {
      assert.deepEqual(await checkTables(reopened.transfer!()), tablesBefore);
    } finally {
      await reopened.close();
    }
  });
});

describe('migrate-store --merge: deleted experiments', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-merge-deleted-'));
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('an experiment deleted in both stores is restored with the runs each deleted with it, as the note says', async () => {
    const [team, solo] = [path.join(temp, 'team'), path.join(temp, 'solo')];
    const runIn = async (home: string) => withClient(home, async (client) => {
      await client.createExperiment('old');
      const { runId } = await client.createRun({ experiment: 'old' });
      await client.setTerminated(runId);
      await client.deleteExperiment('old');
      return runId;
    });
    const teamRun = await runIn(team);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const soloRun = await runIn(solo);
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', solo, '--to', team, '--merge'], io), 0, io.stderr);
    const [, id] = /^experiment "old": its 1 run joins .*, which is deleted there: tracklab experiments restore (\w+) brings it back$/m.exec(io.stderr) ?? [];
    assert.ok(id, io.stderr);
    await withClient(team, async (client) => {
      await client.restoreExperiment(id);
      assert.deepEqual([(await client.getRun(teamRun)).info.lifecycleStage, (await client.getRun(soloRun)).info.lifecycleStage], ['active', 'active']);
    });
  });

  it('an experiment deleted in the source that joins an active one: the note says its runs stay deleted, and how to bring one back', async () => {
    const [team, solo] = [path.join(temp, 'team2'), path.join(temp, 'solo2')];
    await withClient(team, async (client) => { await client.createExperiment('shared'); });
    const soloRun = await withClient(solo, async (client) => {
      const { runId } = await client.createRun({ experiment: 'shared' });
      await client.setTerminated(runId);
      await client.deleteExperiment('shared');
      return runId;
    });
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', solo, '--to', team, '--merge'], io), 0, io.stderr);
    assert.match(io.stderr, /^experiment "shared": its 1 run joins the destination's experiment of that name \(id \w+\); it was deleted in the source, so the runs deleted with it stay deleted \(tracklab runs --all lists them, tracklab runs restore ID brings one back\)$/m);
    await withClient(team, async (client) => assert.equal((await client.getRun(soloRun)).info.lifecycleStage, 'deleted'));
    const restored = capture();
    assert.equal(await main(['--home', team, 'runs', 'restore', soloRun], restored), 0, restored.stderr);
    await withClient(team, async (client) => assert.equal((await client.getRun(soloRun)).info.lifecycleStage, 'active'));
  });
});

describe('migrate-store --merge into a live team store', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-merge-live-'));
  const artifacts = path.join(temp, 'team-artifacts');
  const team = freshDatabase();
  after(() => {
    team.drop();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('a model registered and a dataset first logged in the team store while a merge runs wait for it, and all of it lands', async () => {
    const [ana, bo] = [path.join(temp, 'ana'), path.join(temp, 'bo')];
    await soloStore(ana, 'ana', 'line');
    await soloStore(bo, 'bo', 'curve');
    const io = capture();
    assert.equal(await main(['migrate-store', '--from', ana, '--to', team.uri, '--to-artifact-root', artifacts], io), 0, io.stderr);
    await withClient(team.uri, async (live) => {
      const registry = new RegistryClient({ tracking: live });
      const trained = await trainRun(live, 'vision', 7, { rmse: 0.7 });
      const [from, to] = [await openStore(bo), await openStore(team.uri)];
      let writes: Promise<unknown> | undefined;
      try {
        const inner = to.transfer!();
        // Just before the merge writes datasets and models, a teammate logs bo's dataset and registers a model.
        const destination: StoreTransfer = { ...inner, importAll: (fill) => inner.importAll((write, read) => fill(async (table, rows) => {
          if (table === 'datasets' && writes === undefined) {
            writes = Promise.all([live.logInput(trained.runId, [{ who: 'bo' }], { name: 'bo-only', context: 'eval' }),
              registry.registerModel(trained.modelUri, 'live')]);
            await Promise.race([writes, new Promise((resolve) => setTimeout(resolve, 1000))]);
          }
          await write(table, rows);
        }, read)) };
        await copyStore(from.transfer!(), destination, undefined, { merge: true });
      } finally {
        await Promise.allSettled([writes]);
        await to.close();
        await from.close();
      }
      await writes;
      assert.equal((await registry.getRegisteredModel('live')).name, 'live');
      assert.equal((await registry.getModelVersionByAlias('curve', 'champion')).version, 2);
      const boOnly = (await live.listInputs([trained.runId])).filter((i) => i.dataset.name === 'bo-only');
      assert.equal(boOnly.length, 1);
    }, artifacts);
  });
});

describe('migrate-store --merge: the same store under another name', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-merge-itself-'));
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('a store named by a link to its folder is the same store: refused at once, not after the busy timeout', async () => {
    const [store, link] = [path.join(temp, 'itself'), path.join(temp, 'link')];
    await withClient(store, async (client) => client.createExperiment('x'));
    fs.symlinkSync(store, link);
    const io = capture();
    const started = Date.now();
    assert.equal(await main(['migrate-store', '--from', link, '--to', store, '--merge'], io), 2, io.stderr);
    assert.match(io.stderr, /--from and --to name the same store\./);
    assert.ok(Date.now() - started < 3000);
  });
});
