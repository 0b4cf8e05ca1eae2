/**
 * tsc never deletes outputs, so a test file that was deleted or renamed in
 * the sources would keep running from dist/. These check the two guards: the
 * runner skips compiled tests whose source is gone, and `npm test` empties
 * dist/ before it builds. Both run on copies in temp folders, never on this
 * checkout's dist/ (the suite is running from it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const passing = "require('node:test').test('live test', () => {});\n";
const failing = "require('node:test').test('stale test', () => { throw new Error('a deleted test ran'); });\n";

test('the runner skips a compiled test whose .ts source is gone, and runs the rest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-stale-'));
  fs.mkdirSync(path.join(dir, 'test'));
  fs.copyFileSync(path.join(repo, 'test', 'run.js'), path.join(dir, 'test', 'run.js'));
  write(path.join(dir, 'src', 'live.test.ts'), '// source of live.test.js\n');
  write(path.join(dir, 'dist', 'src', 'live.test.js'), passing);
  // Compiled from src/gone.test.ts, which was deleted since.
  write(path.join(dir, 'dist', 'src', 'gone.test.js'), failing);

  // Without NODE_TEST_CONTEXT the nested runner reports in plain text, not to this runner.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const out = spawnSync(process.execPath, [path.join(dir, 'test', 'run.js')], { encoding: 'utf8', env });
  assert.equal(out.status, 0, `${out.stdout}\n${out.stderr}`);
  assert.match(out.stdout, /live test/);
  assert.doesNotMatch(out.stdout, /stale test|a deleted test ran/);
  assert.match(out.stderr, /skipping dist\/src\/gone\.test\.js: its source src\/gone\.test\.ts is gone/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('npm test empties dist/ before it builds', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const steps = pkg.scripts.test.split('&&').map((s) => s.trim());
  assert.deepEqual(steps, ['npm run clean', 'npm run build', 'node test/run.js']);
  // quickstart and bench build without emptying dist/ first, so they keep working beside a test run's output.
  assert.ok(!pkg.scripts.quickstart.includes('clean') && !pkg.scripts.bench.includes('clean'));

  // The clean script itself, run by npm in a copy of the package with a stale output in dist/.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-clean-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '0.0.0', scripts: { clean: pkg.scripts.clean } }));
  write(path.join(dir, 'dist', 'src', 'gone.test.js'), failing);
  write(path.join(dir, 'src', 'kept.ts'), 'export {};\n');
  const out = spawnSync('npm', ['run', '--silent', 'clean'], { cwd: dir, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(fs.existsSync(path.join(dir, 'dist')), false, 'dist/ is gone');
  assert.equal(fs.existsSync(path.join(dir, 'src', 'kept.ts')), true, 'sources stay');
  const again = spawnSync('npm', ['run', '--silent', 'clean'], { cwd: dir, encoding: 'utf8' });
  assert.equal(again.status, 0, `cleaning with no dist/ succeeds too: ${again.stderr}`);
  fs.rmSync(dir, { recursive: true, force: true });
});
