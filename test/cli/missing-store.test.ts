/**
 * Reading commands on a SQLite store that is not there fail with a typed
 * error and create nothing (a mistyped --home, the wrong folder); writing
 * commands still create the store. Real `tracklab` processes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCliProcess } from '../support/cli-io';
import { ensureBuilt } from '../support/jupyter';

ensureBuilt();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-missing-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** No TRACKLAB_* setting leaks in from the test's own environment. */
const CLEAN = { TRACKLAB_HOME: '', TRACKLAB_TRACKING_URI: '', TRACKLAB_ARTIFACT_ROOT: '', TRACKLAB_MODE: '' };

const READS: readonly (readonly string[])[] = [
  ['runs'], ['runs', '--json'], ['experiments'], ['run', 'show', 'abc'], ['metrics', 'abc', 'loss'], ['export', '--output', path.join(dir, 'x.arrow')],
  ['models', 'list'], ['models', 'show', 'm'], ['doctor'], ['gc', '--dry-run'], ['backup', path.join(dir, 'backup')], ['ui', '--port', '0'],
  ['runs', 'delete', 'abc'], ['experiments', 'delete', 'e'], ['compare', 'a', 'b'],
];

test('reading commands on a missing --home fail with RESOURCE_DOES_NOT_EXIST and create nothing', { timeout: 60_000 }, async () => {
  const home = path.join(dir, 'typo');
  for (const args of READS) {
    const result = await runCliProcess(['--home', home, ...args], CLEAN);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stderr.trim(), `error [RESOURCE_DOES_NOT_EXIST]: No tracklab store at ${home} (no tracklab.db). `
      + 'Log a run first, or pass --home/--tracking-uri to an existing store.', args.join(' '));
    assert.ok(!fs.existsSync(home), `${args.join(' ')} created ${home}`);
  }
  assert.ok(!fs.existsSync(path.join(dir, 'x.arrow')) && !fs.existsSync(path.join(dir, 'backup')));
});

test('a command run in an empty folder names the store it looked for, and creates none', async () => {
  const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
  const result = await runCliProcess(['runs'], CLEAN, empty);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, new RegExp(`No tracklab store at ${path.join(empty, '.tracklab')} \\(no tracklab\\.db\\)`));
  assert.deepEqual(fs.readdirSync(empty), []);
});

test('info reports a store not created yet, and migrate-store refuses a missing source', async () => {
  const home = path.join(dir, 'not-yet');
  const info = await runCliProcess(['--home', home, 'info'], CLEAN);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /not created yet/);
  const migrate = await runCliProcess(['migrate-store', '--from', home, '--to', path.join(dir, 'to')], CLEAN);
  assert.equal(migrate.code, 1);
  assert.match(migrate.stderr, /^error \[RESOURCE_DOES_NOT_EXIST\]: No tracklab store at /);
  assert.ok(!fs.existsSync(home) && !fs.existsSync(path.join(dir, 'to')));
});

test('writing commands still create the store', async () => {
  const home = path.join(dir, 'new');
  const created = await runCliProcess(['--home', home, 'experiments', 'create', 'first'], CLEAN);
  assert.equal(created.code, 0, created.stderr);
  assert.ok(fs.existsSync(path.join(home, 'tracklab.db')));
  const runs = await runCliProcess(['--home', home, 'runs', '-e', 'first'], CLEAN);
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /\(none\)/);
});
