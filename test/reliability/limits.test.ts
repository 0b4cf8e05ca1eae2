/**
 * Input limits (issue 10, item 9): MLflow's limits, counted in characters
 * (code points) as MLflow counts them; over-limit input is refused with
 * INVALID_PARAMETER_VALUE and nothing is written; big calls are split so no
 * write keeps another process waiting for the lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { RegistryClient } from '../../src/registry/registry-client';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { ActiveRun } from '../../src/tracking/active-run';
import { TrackingClient } from '../../src/tracking/client';
import { Limits } from '../../src/validation';
import { tempDir } from '../models/helpers';

/** A letter outside the BMP (U+1D49C): one character, two UTF-16 units. */
const WIDE = '\u{1D49C}';

function refused(pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

async function withClient<T>(fn: (client: TrackingClient) => Promise<T>): Promise<T> {
  const client = new TrackingClient({ home: path.join(tempDir(), '.tracklab') });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

test('a 10 MB experiment description is refused and creates nothing; 5000 characters (MLflow\'s limit) are fine', () => withClient(async (client) => {
  await assert.rejects(client.createExperiment('big', { description: 'x'.repeat(10 * 1024 * 1024) }),
    refused(/Experiment description .* is 10485760 characters long; the limit is 5000/));
  await assert.rejects(client.getExperiment('big'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  // Counted in characters: 5000 wide letters are 10000 UTF-16 units, and fit.
  const ok = await client.createExperiment('wide', { description: WIDE.repeat(5000) });
  assert.equal(ok.description, WIDE.repeat(5000));
  await assert.rejects(client.createExperiment('wider', { description: WIDE.repeat(5001) }), refused(/5001 characters long; the limit is 5000/));
}));

test('lengths count characters, not UTF-16 units: keys, values, names at MLflow\'s limits', () => withClient(async (client) => {
  const run = await client.createRun({ experiment: 'chars', name: WIDE.repeat(Limits.runNameLength) });
  await client.logParam(run.runId, WIDE.repeat(250), WIDE.repeat(6000));
  await client.setTag(run.runId, 't', WIDE.repeat(8000));
  const stored = await client.getRun(run.runId);
  assert.equal(stored.info.runName, WIDE.repeat(250));
  assert.equal(stored.data.params[WIDE.repeat(250)], WIDE.repeat(6000));
  assert.equal(stored.data.tags.t, WIDE.repeat(8000));

  await assert.rejects(client.logParam(run.runId, WIDE.repeat(251), 1), refused(/Param name .* is 251 characters long; the limit is 250/));
  await assert.rejects(client.logParam(run.runId, 'p', WIDE.repeat(6001)), refused(/is 6001 characters long; the limit is 6000/));
  await assert.rejects(client.setTag(run.runId, 't2', WIDE.repeat(8001)), refused(/the limit is 8000/));
  await assert.rejects(client.createRun({ experiment: 'chars', name: WIDE.repeat(251) }), refused(/Run name .* the limit is 250/));
  await assert.rejects(client.createExperiment(WIDE.repeat(501)), refused(/Experiment name .* the limit is 500/));
  // Experiment and registry tags have MLflow's lower value limit, 5000.
  await client.setExperimentTag('chars', 'e', WIDE.repeat(5000));
  await assert.rejects(client.setExperimentTag('chars', 'e', 'x'.repeat(5001)), refused(/the limit is 5000/));
  const registry = new RegistryClient({ tracking: client });
  try {
    await registry.createRegisteredModel(WIDE.repeat(256), { description: WIDE.repeat(5000) });
    await assert.rejects(registry.setRegisteredModelTag(WIDE.repeat(256), 'k', 'x'.repeat(5001)), refused(/the limit is 5000/));
    await assert.rejects(registry.createRegisteredModel('m2', { description: 'x'.repeat(5001) }), refused(/5001 characters; the limit is 5000/));
  } finally {
    registry.close();
  }
  assert.deepEqual(Object.keys((await client.getRun(run.runId)).data.params), [WIDE.repeat(250)], 'nothing refused was stored');
}));

test('a 100,000-character artifact path is refused before anything is stored; paths within the limits download fine', () => withClient(async (client) => {
  const run = await client.createRun({ experiment: 'paths' });
  await assert.rejects(client.logArtifact(run.runId, { text: 'x' }, 'a'.repeat(100_000)), refused(/bytes \(UTF-8\)|characters long/));
  await assert.rejects(client.logArtifact(run.runId, { text: 'x' }, `dir/${'b'.repeat(256)}`), refused(/a segment of 256 bytes; .* at most 255 bytes/));
  // 2049 characters in segments of 200: every segment is a valid file name, but the whole is over MLflow's 2048.
  const long = Array.from({ length: 11 }, (_, i) => String(i % 10).repeat(200)).join('/').slice(0, 2049);
  await assert.rejects(client.logArtifact(run.runId, { text: 'x' }, long), refused(/is 2049 characters long; the limit is 2048/));
  assert.deepEqual((await client.listArtifacts(run.runId)).filter((e) => !e.path.startsWith('provenance/')), [], 'nothing refused reached the manifest');

  // At the limits: 2048 characters, the longest segments 255 bytes; it downloads without ENAMETOOLONG.
  const segments = Array.from({ length: 8 }, (_, i) => String(i).repeat(255));
  const atLimit = `${segments.join('/')}/${'z'.repeat(2048 - segments.join('/').length - 1)}`;
  assert.equal(atLimit.length, 2048);
  await client.logArtifact(run.runId, { text: 'deep' }, atLimit);
  const dir = await client.downloadArtifacts(`runs:/${run.runId}`, path.join(tempDir(), 'out'));
  assert.equal(fs.readFileSync(path.join(dir, ...atLimit.split('/')), 'utf8'), 'deep');
}));

test('step 2^53 gets an error about its range, not "steps must be integers"', () => withClient(async (client) => {
  const run = new ActiveRun(client, { experiment: 'steps' });
  assert.throws(() => run.log({ loss: 1 }, 2 ** 53), refused(/step 9007199254740992, beyond ±9007199254740991 \(Number\.MAX_SAFE_INTEGER\)/));
  assert.throws(() => client.logMetric(run.id, 'loss', 1, -(2 ** 53)), refused(/beyond ±9007199254740991/));
  assert.throws(() => run.log({ loss: 1 }, 1.5), refused(/steps must be integers/));
  run.log({ loss: 1 }, 2 ** 53 - 1);
  await run.end();
  assert.equal((await client.getRun(run.id)).data.metrics.loss?.lastStep, 2 ** 53 - 1);
}));

test('one store write holds at most MLflow\'s batch limits; the client splits bigger calls like MLflow\'s client', () => withClient(async (client) => {
  const store = client.store as SqliteStore;
  const run = await client.createRun({ experiment: 'batches' });
  const many = (n: number, prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, String(i)]));
  await assert.rejects(store.logBatch(run.runId, { params: many(101, 'p') }), refused(/at most 100 params; got 101/));
  await assert.rejects(store.logBatch(run.runId, { tags: many(101, 't') }), refused(/at most 100 tags; got 101/));
  const points = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 1 }));
  await assert.rejects(store.logBatch(run.runId, { metrics: points(1001) }), refused(/at most 1000 metrics; got 1001/));
  await assert.rejects(store.logBatch(run.runId, { params: many(100, 'p'), tags: many(100, 't'), metrics: points(801) }),
    refused(/at most 1000 metrics, params and tags; got 1001/));

  await client.logParams(run.runId, many(250, 'p'));
  await client.logBatch(run.runId, { tags: many(150, 'tt'), metrics: points(2500) });
  const big = await client.createRun({ experiment: 'batches', params: many(230, 'q'), tags: many(120, 'u') });
  const stored = await client.getRun(run.runId);
  assert.equal(Object.keys(stored.data.params).length, 250);
  assert.equal(Object.keys(stored.data.tags).filter((k) => k.startsWith('tt')).length, 150);
  assert.equal(stored.data.metrics.m?.count, 2500);
  const bigStored = await client.getRun(big.runId);
  assert.equal(Object.keys(bigStored.data.params).length, 230);
  assert.equal(Object.keys(bigStored.data.tags).filter((k) => k.startsWith('u')).length, 120);

  // Write-once holds across parts: a conflict anywhere leaves the run untouched.
  const clash = { ...many(300, 'z'), p7: 'different' };
  await assert.rejects(client.logParams(run.runId, clash), refused(/Param "p7" is already "7"/));
  assert.equal(Object.keys((await client.getRun(run.runId)).data.params).filter((k) => k.startsWith('z')).length, 0);
  // Experiment and registry tags are set at most 100 per call.
  await assert.rejects(client.createExperiment('tagged', { tags: many(101, 'e') }), refused(/at most 100 tags; got 101/));
}));

test('a 50,000-key logParams lets another process write while it runs', async () => {
  const home = path.join(tempDir(), '.tracklab');
  const client = new TrackingClient({ home });
  try {
    const target = await client.createRun({ experiment: 'lock' });
    const fixture = path.join(__dirname, 'fixtures', `lock-probe${path.extname(__filename)}`);
    const nodeArgs = fixture.endsWith('.ts') ? ['--import', 'tsx', fixture] : [fixture];
    const probe = spawn(process.execPath, nodeArgs, { env: { ...process.env, TRACKLAB_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    probe.stderr.setEncoding('utf8').on('data', (t: string) => { err += t; });
    const ready = new Promise<void>((resolve) => probe.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      if (out.includes('READY')) resolve();
    }));
    const exited = new Promise<number | null>((resolve) => probe.once('close', resolve));
    await Promise.race([ready, exited.then(() => { throw new Error(`probe exited before READY: ${err}`); })]);

    const total = 50_000;
    probe.stdin.end(`${target.runId} ${total}\n`);
    const params = Object.fromEntries(Array.from({ length: total }, (_, i) => [`k${i}`, i]));
    await client.logParams(target.runId, params);
    assert.equal(await exited, 0, err);

    const seen = /SEEN (\d+) (\d+) (\d+)/.exec(out);
    assert.ok(seen, out + err);
    const [before, after] = [Number(seen[1]), Number(seen[2])];
    // Some params were there and some not yet, when the probe wrote and when it looked again after its write:
    // its write committed between two writes of the big call, never after the whole call.
    assert.ok(before > 0 && before < total, `the probe first saw ${before} of ${total}`);
    assert.ok(after < total, `after its own write the probe saw ${after} of ${total}`);
    assert.equal(Object.keys((await client.getRun(target.runId)).data.params).length, total, 'the big call still wrote everything');
  } finally {
    await client.close();
  }
});
