/**
 * A notebook's kernel (started in notebooks/), `tracklab run` and the CLI
 * (started at the project root or anywhere below it) find one store: the
 * project root's `.tracklab`, and `tracklab info` says why.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeNotebook, notebookWorkspace, repoRoot, runNotebook } from '../support/jupyter';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
/** No store named in the environment: discovery decides. */
const UNSET = { TRACKLAB_HOME: '', TRACKLAB_EXPERIMENT: '' };

function tracklab(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...UNSET }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const CELLS = (name: string) => [
  "import * as tracklab from 'tracklab';",
  `const run = tracklab.startRun({ name: '${name}' });\nrun.log({ loss: 0.5 });\nawait run.end();`,
];

describe('one store for the kernel, the runner and the CLI', () => {
  let project: string;
  let notebooks: string;
  const names = async (cwd: string): Promise<string[]> => {
    const result = await tracklab(['runs', '--json'], cwd);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout).runs as { info: { runName: string } }[]).map((r) => r.info.runName).sort();
  };

  before(async () => {
    project = fs.realpathSync(notebookWorkspace());
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true }));
    notebooks = path.join(project, 'notebooks');
    fs.mkdirSync(notebooks);
    // Interactive: Jupyter starts the kernel in the notebook's folder.
    const executed = await runNotebook(notebooks, 'explore.ipynb', makeNotebook(CELLS('from-jupyter')), { env: UNSET });
    assert.equal(executed.exitCode, 0, executed.log);
    // Headless, from the project root.
    fs.writeFileSync(path.join(notebooks, 'train.ipynb'), JSON.stringify(makeNotebook(CELLS('from-runner'))));
    const run = await tracklab(['run', 'notebooks/train.ipynb'], project);
    assert.equal(run.code, 0, run.stderr);
  });

  after(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('puts the notebook\'s runs in the project root\'s .tracklab, not beside the notebook', () => {
    assert.ok(fs.existsSync(path.join(project, '.tracklab')));
    assert.equal(fs.existsSync(path.join(notebooks, '.tracklab')), false);
  });

  it('lets the CLI see every run from the project root and from notebooks/', async () => {
    const fromRoot = await names(project);
    assert.ok(fromRoot.includes('from-jupyter') && fromRoot.includes('from-runner'), fromRoot.join(', '));
    assert.equal(fromRoot.length, 3, 'the two notebook runs and the project run of tracklab run');
    assert.deepEqual(await names(notebooks), fromRoot);
  });

  it('has tracklab info name the store and why, and --home override it', async () => {
    const info = await tracklab(['info'], notebooks);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, new RegExp(`^store {7}${path.join(project, '.tracklab')}\\n {2}why {7}found an existing \\.tracklab in ${project}, the nearest above ${notebooks}\\n`));
    const json = JSON.parse((await tracklab(['info', '--json'], notebooks)).stdout);
    assert.equal(json.store, path.join(project, '.tracklab'));
    assert.equal(json.source, 'found');
    assert.equal(json.exists, true);
    const other = path.join(project, 'elsewhere');
    const given = JSON.parse((await tracklab(['--home', other, 'info', '--json'], notebooks)).stdout);
    assert.deepEqual([given.store, given.source, given.exists], [other, 'option', false]);
    assert.equal(fs.existsSync(other), false, 'looking does not create a store');
  });
});
