import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { whenFileWritten } from '../support/jupyter';
import { code, writeTempNotebook } from './notebook-fixtures';
import { projectWithNotebook, tempDir } from './runner-fixtures';

const HOSTILE = `; rm -rf x; $(touch pwned) \`touch pwned2\` "double" 'single' \\ \${process.exit(9)} && echo hi | cat > out`;

interface Cli {
  readonly code: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly kill: (signal: NodeJS.Signals) => void;
  readonly exited: () => boolean;
}

/** `tracklab run ARGS` in its own process; from sources through tsx, from dist/ directly. */
function cli(args: readonly string[], home: string): Cli {
  const helper = path.join(__dirname, 'fixtures', `run-cli${path.extname(__filename)}`);
  const node = __filename.endsWith('.ts') ? ['--import', 'tsx', helper] : [helper];
  const child = spawn(process.execPath, [...node, ...args], { env: { ...process.env, TRACKLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.once('exit', () => { exited = true; });
  child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { err += t; });
  return {
    code: new Promise((resolve) => child.once('close', (c) => resolve(c))),
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    exited: () => exited,
  };
}

test('through the CLI, a value full of shell metacharacters arrives verbatim as data and runs nothing; \\, keeps a comma', async () => {
  const { dir, notebook } = projectWithNotebook();
  fs.mkdirSync(path.join(dir, 'x'));
  const home = tempDir();
  const run = cli([notebook, '-P', `label=${HOSTILE}\\,tail`, '-P', 'lr=0.5', '--experiment', 'cli'], home);
  assert.equal(await run.code, 0, run.stderr());
  const match = /^run (\S+) \((\w+)\) FINISHED$/m.exec(run.stdout());
  assert.ok(match, run.stdout());
  assert.equal((run.stdout() + run.stderr()).split(match[1]!).length - 1, 1, `the run is reported once:\n${run.stdout()}${run.stderr()}`);
  assert.match(run.stdout(), /^notebook .*train\.ipynb$/m);
  const client = new TrackingClient({ home });
  try {
    const project = await client.getRun(match[2]!);
    assert.equal(project.data.params['label'], `${HOSTILE},tail`);
    const { runs } = await client.searchRuns({ filter: `attributes.parent_run_id = '${project.info.runId}'` });
    assert.equal(runs[0]?.data.params['label'], `${HOSTILE},tail`, 'the notebook saw the exact string');
    assert.ok(fs.existsSync(path.join(dir, 'x')), '`rm -rf x` did not run');
    for (const f of ['pwned', 'pwned2', 'out']) assert.equal(fs.existsSync(path.join(dir, f)), false, `${f} was not created`);
  } finally {
    await client.close();
  }
});

test('SIGINT during a cell ends the project run KILLED, stops the kernel and exits 130', async () => {
  const notebook = writeTempNotebook([
    code('const waitMs = 60000;', ['parameters']),
    code('await new Promise((resolve) => { setTimeout(() => require("fs").writeFileSync("waiting", "yes"), 0); setTimeout(resolve, waitMs); });'),
  ]);
  const dir = path.dirname(notebook);
  const home = tempDir();
  const run = cli([notebook, '-P', 'waitMs=600000'], home);
  // Interrupted once the long cell is awaiting (it writes a file from a timer), not after a guessed delay.
  await whenFileWritten(path.join(dir, 'waiting'), run.code);
  run.kill('SIGINT');
  assert.equal(await run.code, 130, run.stderr());
  const client = new TrackingClient({ home });
  try {
    const { runs } = await client.searchRuns();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.info.status, 'KILLED');
    assert.match(runs[0]!.info.statusMessage ?? '', /Interrupted/);
  } finally {
    await client.close();
  }
  // No process is left working in the notebook's folder (the kernel's cwd).
  const real = fs.realpathSync(dir);
  const left = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readlinkSync(`/proc/${p}/cwd`) === real;
    } catch {
      return false;
    }
  });
  assert.deepEqual(left, [], 'the kernel is gone');
});
