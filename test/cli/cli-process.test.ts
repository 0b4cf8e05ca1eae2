/**
 * The `tracklab` command as a real process: a reader that closes the pipe
 * early (`| head`), help wrapped to the terminal width, usage errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { ensureBuilt, repoRoot } from '../support/jupyter';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; `close` names the pipes whose reading end is closed before the command writes anything. */
function tracklab(args: readonly string[], opts: { env?: Record<string, string>; close?: readonly ('stdout' | 'stderr')[] } = {}): Promise<Exit> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  for (const name of opts.close ?? []) child[name].destroy();
  if (!opts.close?.includes('stdout')) child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  if (!opts.close?.includes('stderr')) child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function seeded(): Promise<{ home: string; runId: string }> {
  ensureBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-'));
  const client = new TrackingClient({ home });
  // Enough params that `run show` writes many times after the first lines.
  const params = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, i]));
  const run = await client.createRun({ experiment: 'pipes', name: 'wide', params });
  for (let step = 0; step < 2000; step++) client.logMetric(run.runId, 'loss', 1 / (step + 1), step);
  await client.setTerminated(run.runId);
  await client.close();
  return { home, runId: run.runId };
}

test('every command survives a reader that closed the pipe: no EPIPE stack, its usual exit code', async () => {
  const { home, runId } = await seeded();
  const commands: [string[], number][] = [
    [['run', 'show', runId], 0], [['runs'], 0], [['runs', '-e', 'pipes', '--json'], 0], [['metrics', runId, 'loss'], 0],
    [['metrics', runId, '--format', 'json'], 0], [['experiments'], 0], [['info'], 0], [['gc', '--dry-run'], 0], [['models', 'list'], 0],
    [['--help'], 0], [['run', 'show', 'no-such-run'], 1], [['runs', '--bogus'], 2],
  ];
  for (const [args, code] of commands) {
    const both = await tracklab(['--home', home, ...args], { close: ['stdout', 'stderr'] });
    assert.equal(both.code, code, `${args.join(' ')} with both pipes closed`);
    const out = await tracklab(['--home', home, ...args], { close: ['stdout'] });
    assert.equal(out.code, code, `${args.join(' ')}: ${out.stderr}`);
    assert.doesNotMatch(out.stderr, /EPIPE|\n\s+at /, args.join(' '));
  }
  // And the shell pipeline from the report, with pipefail so the CLI's own exit status counts.
  const shell = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" --home "${home}" run show ${runId} | head -3`], { encoding: 'utf8' });
  assert.equal(shell.status, 0, shell.stderr);
  assert.equal(shell.stderr, '');
  assert.equal(shell.stdout.split('\n').length, 4);
  assert.match(shell.stdout, /^wide {2}\(/);
});

test('--help wraps to the terminal width ($COLUMNS when not a terminal), breaking between options', async () => {
  for (const columns of [50, 80, 120]) {
    const help = await tracklab(['--help'], { env: { COLUMNS: String(columns) } });
    assert.equal(help.code, 0);
    const lines = help.stdout.trimEnd().split('\n');
    const long = lines.filter((l) => l.length > columns);
    assert.deepEqual(long, [], `at ${columns} columns`);
    assert.ok(lines.some((l) => l.length > columns - 15), `lines use the width at ${columns}`);
    for (const line of lines) assert.equal((line.match(/\[/g) ?? []).length, (line.match(/\]/g) ?? []).length, `no option group is split: ${line}`);
  }
  const run = await tracklab(['run', '--help'], { env: { COLUMNS: '60' } });
  assert.equal(run.code, 0);
  assert.ok(run.stdout.trimEnd().split('\n').every((l) => l.length <= 60), run.stdout);
  assert.match(run.stdout, /^Usage:\n {2}tracklab run NOTEBOOK\|DIR/);
});

test('usage errors say what to do, with balanced quotes', async () => {
  const cases: [string[], string | RegExp][] = [
    // Every option the command takes, the global ones too; no "--" hint for a command that takes no arguments.
    [['runs', '--bogus'], 'usage error: Unknown option "--bogus". This command takes -e/--experiment VALUE, --filter VALUE, --order-by VALUE, --max VALUE, --all, --json, '
      + '--home VALUE, --tracking-uri VALUE, --artifact-root VALUE, --help.\n'],
    [['run', '--bogus'], /^usage error: Unknown option "--bogus"\. This command takes .*--tracking-uri VALUE.* To pass an argument that starts with "-", put it after "--" \(-- --bogus\)\.\n$/],
    [['runs', '--max'], 'usage error: Option "--max" needs a value, as in --max VALUE.\n'],
    [['runs', '--json=yes'], 'usage error: Option "--json" takes no value.\n'],
    [['runs', '--max', '--json'], 'usage error: Option "--max" needs a value; for a value that starts with "-", write --max=-VALUE.\n'],
  ];
  for (const [args, expected] of cases) {
    const result = await tracklab(['--home', fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-cli-')), ...args]);
    assert.equal(result.code, 2);
    if (typeof expected === 'string') assert.equal(result.stderr, expected);
    else assert.match(result.stderr, expected);
    assert.equal(result.stderr.split('"').length % 2, 1, 'quotes come in pairs');
    assert.doesNotMatch(result.stderr, /'/);
  }
});
