/**
 * `tracklab compare RUN RUN...` as a real process: params with the ones that
 * differ marked, each metric's last/min/max per run with the best marked,
 * the same as JSON, and typed errors for a metric no run has or too few runs.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { runCliProcess } from '../support/cli-io';
import { ensureBuilt } from '../support/jupyter';

const CLEAN = { TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '', TRACKLAB_MODE: '' };

describe('tracklab compare', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-compare-'));
  const ids: string[] = [];
  const others: string[] = [];
  const cli = (...args: string[]) => runCliProcess(['--home', home, 'compare', ...args], CLEAN);

  before(async () => {
    ensureBuilt();
    const client = new TrackingClient({ home });
    for (const [name, lr, opt] of [['slow', 0.1, 'sgd'], ['fast', 0.3, 'adam']] as const) {
      const run = await client.createRun({ experiment: 'cmp', name, params: { lr, seed: 1, opt } });
      for (let s = 0; s < 20; s++) client.logMetrics(run.runId, { loss: 1 / (1 + s * lr), acc: 1 - 1 / (1 + s * lr) }, s);
      await client.setTerminated(run.runId);
      ids.push(run.runId);
    }
    // Names need not be unique: two runs share "twin"; one name needs quoting in a filter.
    for (const name of ['twin', 'twin', "it's\\"]) {
      const run = await client.createRun({ experiment: 'other', name });
      client.logMetrics(run.runId, { loss: 0.5 }, 0);
      await client.setTerminated(run.runId);
      others.push(run.runId);
    }
    await client.close();
  });

  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('prints params with differences marked and metrics with the best run marked', async () => {
    const out = await cli(...ids);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.match(lines[1] ?? '', /^ {2}param +slow +fast$/);
    assert.ok(lines.some((l) => /^\* lr +0\.1 +0\.3$/.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^\* opt +sgd +adam$/.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^ {2}seed +1 +1$/.test(l)), 'a param that does not differ is not marked');
    assert.ok(lines.includes('* differs between the runs'));
    assert.ok(lines.some((l) => /^\* loss \(min\) +fast +0\.1493 +0\.1493 +1 +20$/.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^ {2}loss \(min\) +slow +0\.3448 +0\.3448 +1 +20$/.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^\* acc \(max\) +fast /.test(l)), out.stdout);
  });

  it('--json gives the same comparison, and --metric narrows it', async () => {
    const out = await cli(...ids, '--json', '--metric', 'loss');
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      runs: { runId: string; runName: string }[];
      params: { key: string; differs: boolean; values: Record<string, string | null> }[];
      metrics: { key: string; mode: string; best: string; values: Record<string, { last: number; count: number }> }[];
    };
    assert.deepEqual(json.runs.map((r) => r.runName), ['slow', 'fast']);
    assert.deepEqual(json.params.map((p) => [p.key, p.differs]), [['lr', true], ['opt', true], ['seed', false]]);
    assert.deepEqual(json.metrics.map((m) => [m.key, m.mode, m.best]), [['loss', 'min', ids[1]]]);
    assert.equal(json.metrics[0].values[ids[0]].count, 20);
  });

  it('a metric no run has, too few runs or an unknown run is a typed error', async () => {
    const typo = await cli(...ids, '--metric', 'los');
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr.trim(), 'error [INVALID_PARAMETER_VALUE]: No run to compare has the metric "los": did you mean "loss"? Their metrics: "acc", "loss".');
    const one = await cli(ids[0]!);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /^usage error: compare needs at least two different run ids/);
    const unknown = await cli(ids[0]!, 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error \[RESOURCE_DOES_NOT_EXIST\]: No run with id or name "nope"/);
    for (const out of [typo, one, unknown]) assert.doesNotMatch(out.stderr, /\n\s+at /);
  });

  it('takes run names as well as ids; a name of several runs or of none is a typed error', async () => {
    const byName = await cli('slow', 'fast');
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.stdout, (await cli(...ids)).stdout);
    const mixed = await cli('slow', ids[1]!, "it's\\", '--json');
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.deepEqual((JSON.parse(mixed.stdout) as { runs: { runId: string }[] }).runs.map((r) => r.runId), [ids[0], ids[1], others[2]]);

    const same = await cli('slow', ids[0]!);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /^usage error: compare needs at least two different run ids or names/);
    const twin = await cli('twin', 'slow');
    assert.equal(twin.code, 1);
    const listed = /^error \[INVALID_PARAMETER_VALUE\]: The name "twin" matches 2 runs: (\S+), (\S+)\. Name the run you mean by its id \(`tracklab runs` shows each run's id and name\)\.$/.exec(twin.stderr.trim());
    assert.ok(listed, twin.stderr);
    assert.deepEqual([listed[1], listed[2]].sort(), [others[0], others[1]].sort());
    const typo = await cli('sloww', 'fast');
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr.trim(), 'error [RESOURCE_DOES_NOT_EXIST]: No run with id or name "sloww": did you mean "slow"? `tracklab runs` lists the runs with their names.');
    for (const out of [same, twin, typo]) assert.doesNotMatch(out.stderr, /\n\s+at /);
  });
});

describe('tracklab compare with runs tied for best', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-compare-tie-'));
  const ids: string[] = [];

  before(async () => {
    ensureBuilt();
    const client = new TrackingClient({ home });
    for (const [name, acc] of [['first', 0.5], ['second', 0.9], ['third', 0.9]] as const) {
      const run = await client.createRun({ experiment: 'tie', name });
      client.logMetrics(run.runId, { acc }, 0);
      await client.setTerminated(run.runId);
      ids.push(run.runId);
    }
    await client.close();
  });

  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('marks every tied run, in the table and in --json (best stays the first of them)', async () => {
    const out = await runCliProcess(['--home', home, 'compare', ...ids], CLEAN);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.ok(lines.some((l) => /^ {2}acc \(max\) +first +0\.5 /.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^\* acc \(max\) +second +0\.9 /.test(l)), out.stdout);
    assert.ok(lines.some((l) => /^\* acc \(max\) +third +0\.9 /.test(l)), out.stdout);
    assert.ok(lines.includes('* best run of the metric, by its last value (min or max as shown); runs tied for best are all marked'), out.stdout);

    const json = await runCliProcess(['--home', home, 'compare', ...ids, '--json'], CLEAN);
    assert.equal(json.code, 0, json.stderr);
    const metrics = (JSON.parse(json.stdout) as { metrics: { key: string; best: string | null; bestRuns: string[] }[] }).metrics;
    assert.deepEqual(metrics.map((m) => [m.key, m.best, m.bestRuns]), [['acc', ids[1], [ids[1], ids[2]]]]);
  });
});
