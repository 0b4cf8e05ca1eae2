/**
 * `tracklab experiments` and `tracklab gc` end to end: a real store in a
 * temp folder, the CLI's own entry point, its text and --json output, and
 * what is left on disk afterwards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { runCli } from '../support/cli-io';

const cli = runCli;

function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
}

describe('tracklab experiments', () => {
  it('lists, filters, orders, pages and shows deleted experiments, as text and JSON', async () => {
    const home = tempHome();
    const client = new TrackingClient({ home });
    const a = await client.createExperiment('vision-a', { description: 'conv nets', tags: { team: 'cv' } });
    const b = await client.createExperiment('vision-b', { tags: { team: 'CV' } });
    const c = await client.createExperiment('nlp', { tags: { team: 'text' } });
    const gone = await client.createExperiment('old-vision');
    await client.deleteExperiment(gone.experimentId);
    await client.close();

    const names = async (...args: string[]) => {
      const out = await cli(home, ['experiments', '--json', ...args]);
      assert.equal(out.code, 0, out.stderr);
      return (JSON.parse(out.stdout) as { name: string }[]).map((e) => e.name);
    };
    assert.deepEqual(await names('--order-by', 'name'), ['nlp', 'vision-a', 'vision-b']);
    assert.deepEqual(await names('--order-by', 'name DESC', '--max', '2'), ['vision-b', 'vision-a']);
    assert.deepEqual(await names('--filter', "name LIKE 'vision%'", '--order-by', 'name'), ['vision-a', 'vision-b']);
    assert.deepEqual(await names('--filter', "tags.team ILIKE 'cv'", '--order-by', 'name'), ['vision-a', 'vision-b']);
    assert.deepEqual(await names('--filter', "tags.team = 'cv' OR name = 'nlp'", '--order-by', 'name'), ['nlp', 'vision-a']);
    assert.deepEqual(await names('--all', '--filter', "name ILIKE '%vision%'", '--order-by', 'name'), ['old-vision', 'vision-a', 'vision-b']);
    assert.deepEqual(await names('--filter', "name = 'old-vision'"), [], 'deleted experiments only with --all');

    const json = await cli(home, ['experiments', '--json', '--filter', "name = 'vision-a'"]);
    const [only] = JSON.parse(json.stdout) as { experimentId: string; description: string; tags: Record<string, string>; lifecycleStage: string }[];
    assert.deepEqual([only.experimentId, only.description, only.tags, only.lifecycleStage], [a.experimentId, 'conv nets', { team: 'cv' }, 'active']);

    const table = await cli(home, ['experiments', '--all', '--order-by', 'name']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0], /^id +name +stage +created +description$/);
    const rows = lines.slice(1).filter((l) => !/^[-─ ]+$/.test(l));
    assert.deepEqual(rows.map((l) => l.split(/ {2,}/)[1]), ['nlp', 'old-vision', 'vision-a', 'vision-b']);
    assert.match(rows.find((l) => l.includes('old-vision'))!, new RegExp(`^${gone.experimentId} +old-vision +deleted `));
    assert.match(rows.find((l) => l.includes('vision-a'))!, /active +\d{4}-\d\d-\d\d.* +conv nets$/);
    assert.ok(![b, c].some((e) => !table.stdout.includes(e.experimentId)));
  });

  it('prints (none) for no match, and a bad filter or order as one line with its code', async () => {
    const home = tempHome();
    const client = new TrackingClient({ home }); // reading commands need a store that exists
    await client.createExperiment('other');
    await client.close();
    const none = await cli(home, ['experiments', '--filter', "name = 'nothing'"]);
    assert.equal(none.code, 0);
    assert.match(none.stdout, /\(none\)/);
    const bad = await cli(home, ['experiments', '--filter', 'creation_time >']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Invalid filter at position 15: expected a value after '>'/);
    const order = await cli(home, ['experiments', '--order-by', 'tags.team']);
    assert.equal(order.code, 1);
    assert.match(order.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Cannot order experiments by tags\.team/);
    const max = await cli(home, ['experiments', '--max', 'lots']);
    assert.equal(max.code, 2);
    assert.match(max.stderr, /--max takes a positive whole number, got "lots"/);
    for (const out of [bad, order, max]) assert.doesNotMatch(out.stderr, /\n\s+at /);
  });
});

describe('tracklab gc', () => {
  const sha = (data: string) => createHash('sha256').update(data).digest('hex');
  /** The blob of `data` at its content address (artifacts/sha256/ab/cdef...), or undefined when it is gone. */
  const blobPath = (home: string, data: string) => {
    const hex = sha(data);
    const file = path.join(home, 'artifacts', 'sha256', hex.slice(0, 2), hex.slice(2));
    return fs.existsSync(file) ? file : undefined;
  };
  /** Moves every blob's mtime past gc's grace period, as if logged two minutes ago. */
  const age = (home: string) => {
    const root = path.join(home, 'artifacts', 'sha256');
    const past = new Date(Date.now() - 120_000);
    for (const f of fs.readdirSync(root, { recursive: true }) as string[]) {
      const full = path.join(root, f);
      if (fs.statSync(full).isFile()) fs.utimesSync(full, past, past);
    }
  };

  it('--dry-run reports and keeps everything; gc purges deleted runs and only the content they alone used', async () => {
    const home = tempHome();
    const client = new TrackingClient({ home });
    const doomed = (await client.createRun({ experiment: 'gc', name: 'doomed' })).runId;
    const kept = (await client.createRun({ experiment: 'gc', name: 'kept' })).runId;
    await client.logArtifact(doomed, { text: 'only in the deleted run' }, 'mine.txt');
    await client.logArtifact(doomed, { text: 'shared by both' }, 'shared.txt');
    await client.logArtifact(kept, { text: 'shared by both' }, 'shared.txt');
    await client.logArtifact(kept, { text: 'only in the kept run' }, 'own.txt');
    await client.setTerminated(doomed);
    await client.setTerminated(kept);
    await client.deleteRun(doomed);
    await client.close();
    age(home);

    const dry = await cli(home, ['gc', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout), { purgedRuns: 1, removedBlobs: 1, freedBytes: 'only in the deleted run'.length });
    assert.ok(blobPath(home, 'only in the deleted run'), 'a dry run deletes nothing');
    const dryText = await cli(home, ['gc', '--dry-run']);
    assert.equal(dryText.code, 0, dryText.stderr);
    assert.deepEqual([dryText.stdout, dryText.stderr], [`would purge 1 deleted run(s), remove 1 blob(s) and free ${'only in the deleted run'.length} bytes\n`, ''],
      'every part of a dry run\'s output says what would happen');
    const after = new TrackingClient({ home });
    assert.equal((await after.getRun(doomed)).info.lifecycleStage, 'deleted', 'and purges no run');
    await after.close();

    const real = await cli(home, ['gc']);
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout.trim(), `purged 1 deleted run(s), removed 1 blob(s), freed ${'only in the deleted run'.length} bytes`);
    assert.equal(blobPath(home, 'only in the deleted run'), undefined);
    assert.ok(blobPath(home, 'shared by both') && blobPath(home, 'only in the kept run'));
    const check = new TrackingClient({ home });
    await assert.rejects(check.getRun(doomed), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-gc-dl-'));
    const folder = await check.downloadArtifacts(`runs:/${kept}`, dest);
    assert.equal(fs.readFileSync(path.join(folder, 'shared.txt'), 'utf8'), 'shared by both');
    assert.equal(fs.readFileSync(path.join(folder, 'own.txt'), 'utf8'), 'only in the kept run');
    await check.close();

    const again = await cli(home, ['gc', '--json']);
    assert.deepEqual(JSON.parse(again.stdout), { purgedRuns: 0, removedBlobs: 0, freedBytes: 0 });
  });

  it('keeps unreferenced content younger than the grace period (a writer may be about to reference it)', async () => {
    const home = tempHome();
    const client = new TrackingClient({ home });
    const runId = (await client.createRun({ experiment: 'gc', name: 'fresh' })).runId;
    await client.logArtifact(runId, { text: 'fresh content' }, 'f.txt');
    await client.setTerminated(runId);
    await client.deleteRun(runId);
    await client.close();
    const out = await cli(home, ['gc', '--json']);
    assert.deepEqual(JSON.parse(out.stdout), { purgedRuns: 1, removedBlobs: 0, freedBytes: 0 });
    assert.ok(blobPath(home, 'fresh content'));
  });

  it('refuses unknown options as a usage error', async () => {
    const out = await cli(tempHome(), ['gc', '--everything']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^usage error: /);
  });
});
