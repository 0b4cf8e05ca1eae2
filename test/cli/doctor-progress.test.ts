/**
 * `tracklab doctor` progress, as a real process: into a pipe or a log it
 * prints none (the report's content line is the summary); on a terminal
 * (a pseudo-terminal from util-linux `script`) it shows it, as migrate-store.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TrackingClient } from '../../src/tracking/client';
import { runCliProcess } from '../support/cli-io';
import { repoRoot } from '../support/jupyter';

const CLI = path.join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const hasScript = spawnSync('script', ['--version']).status === 0;

/** A store with at least five artifact blobs (the run's provenance adds its own): items for the doctor to check. */
async function storeWithBlobs(): Promise<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-doctor-progress-'));
  const client = new TrackingClient({ home });
  const { runId } = await client.createRun({ experiment: 'doctor' });
  for (let i = 0; i < 5; i++) await client.logArtifact(runId, { text: `blob ${i}` }, `f${i}.txt`);
  await client.setTerminated(runId);
  await client.close();
  return home;
}

test('doctor into a pipe prints no progress, only the report with its summary line', async () => {
  const home = await storeWithBlobs();
  const exit = await runCliProcess(['--home', home, 'doctor'], {});
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stderr, '');
  assert.match(exit.stdout, /^ {2}ok {7}content: \d+ referenced blobs \(\d+ bytes\) present, sha256 verified$/m);
  fs.rmSync(home, { recursive: true, force: true });
});

test('doctor on a terminal shows its progress', { skip: hasScript ? false : 'needs util-linux script for a pseudo-terminal' }, async () => {
  const home = await storeWithBlobs();
  const command = [process.execPath, CLI, '--home', home, 'doctor'].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  assert.match(tty.stdout.replace(/\r/g, ''), /^doctor: content 100% \((\d+)\/\1 blobs checked\)$/m);
  fs.rmSync(home, { recursive: true, force: true });
});
