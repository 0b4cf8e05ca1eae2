/**
 * Every Arrow output tracklab produces, read back by polars (an independent
 * Arrow implementation): metric history tables, `client.exportArrow` files
 * and the CLI's `metrics --format arrow` and `export`, each with points
 * (NaN and ±Infinity included) and with none: an empty experiment, a filter
 * that matches nothing, a run that logged no metrics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { main } from '../../src/cli/main';
import { TrackingClient } from '../../src/tracking/client';
import { HISTORY_DTYPES, readIpcFileWithPolars, readIpcWithPolars, type PolarsFrame } from '../support/polars';
import { captureIo } from '../support/cli-io';

const COLUMNS = ['run_id', 'key', 'step', 'timestamp', 'value'];
const VALUES = [0.5, NaN, Infinity, -Infinity, -0.25];

let home: string;
let out: string;
let client: TrackingClient;
let full: string;
let bare: string;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-polars-'));
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-polars-out-'));
  client = new TrackingClient({ home });
  full = (await client.createRun({ experiment: 'interop', name: 'full', params: { lr: 0.1 } })).runId;
  VALUES.forEach((v, step) => client.logMetric(full, 'loss', v, step, 1_700_000_000_000 + step));
  client.logMetric(full, 'acc', 0.75, 2 ** 40, 1_700_000_000_100);
  await client.setTerminated(full);
  bare = (await client.createRun({ experiment: 'interop', name: 'bare', params: { lr: 0.2 } })).runId;
  await client.setTerminated(bare);
  await client.createExperiment('nothing-here');
});

after(async () => {
  await client.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

function assertEmptyHistory(frame: PolarsFrame): void {
  assert.equal(frame.height, 0);
  assert.deepEqual(frame.columns, COLUMNS);
  assert.deepEqual(frame.dtypes, [...HISTORY_DTYPES]);
}

/** The points of `full`, in the store's order (by key, then step). */
function assertFullHistory(frame: PolarsFrame): void {
  assert.deepEqual(frame.columns, COLUMNS);
  assert.deepEqual(frame.dtypes, [...HISTORY_DTYPES]);
  const rows = frame.column('key').map((key, i) => ({
    run: frame.column('run_id')[i], key, step: frame.column('step')[i],
    time: (frame.column('timestamp')[i] as Date).getTime(), value: frame.column('value')[i],
  }));
  const loss = rows.filter((r) => r.key === 'loss');
  assert.deepEqual(loss.map((r) => r.value), VALUES);
  assert.deepEqual(loss.map((r) => r.step), [0, 1, 2, 3, 4]);
  assert.deepEqual(loss.map((r) => r.time), VALUES.map((_, i) => 1_700_000_000_000 + i));
  assert.deepEqual(rows.filter((r) => r.key === 'acc').map((r) => [r.step, r.value]), [[2 ** 40, 0.75]]);
  assert.ok(rows.every((r) => r.run === full));
}

async function cli(args: string[]): Promise<void> {
  const io = captureIo();
  const code = await main(['--home', home, ...args], io);
  assert.equal(code, 0, io.stderr);
}

describe('metric history tables (client.metricHistory), serialized as a user would', () => {
  it('with points', async () => {
    assertFullHistory(readIpcWithPolars(tableToIPC(await client.metricHistory(full), 'file')));
  });

  it('of a run without metrics, and of a key the run lacks', async () => {
    assertEmptyHistory(readIpcWithPolars(tableToIPC(await client.metricHistory(bare), 'file')));
    assertEmptyHistory(readIpcWithPolars(tableToIPC(await client.metricHistory(full, ['missing']), 'file')));
  });
});

describe('client.exportArrow files', () => {
  it('with points', async () => {
    const file = path.join(out, 'runs.arrow');
    await client.exportArrow(file, { runIds: [full, bare] });
    assertFullHistory(readIpcFileWithPolars(file));
  });

  it('of an empty experiment, a filter that matches nothing, and a run without metrics', async () => {
    const cases = {
      'empty-experiment': { experiments: ['nothing-here'] },
      'no-match': { experiments: ['interop'], filter: 'metrics.loss > 1e309' },
      'bare-run': { runIds: [bare] },
    };
    for (const [name, query] of Object.entries(cases)) {
      const file = path.join(out, `${name}.arrow`);
      await client.exportArrow(file, query);
      assertEmptyHistory(readIpcFileWithPolars(file));
    }
  });
});

describe('the CLI\'s Arrow files', () => {
  it('metrics RUN --format arrow, with points and on a run without metrics', async () => {
    await cli(['metrics', full, '--format', 'arrow', '--output', path.join(out, 'cli-full.arrow')]);
    assertFullHistory(readIpcFileWithPolars(path.join(out, 'cli-full.arrow')));
    await cli(['metrics', bare, '--format', 'arrow', '--output', path.join(out, 'cli-bare.arrow')]);
    assertEmptyHistory(readIpcFileWithPolars(path.join(out, 'cli-bare.arrow')));
  });

  it('export, with points, for an empty experiment and for a filter that matches nothing', async () => {
    await cli(['export', '--output', path.join(out, 'exp.arrow'), '-e', 'interop', '--filter', "params.lr = '0.1'"]);
    assertFullHistory(readIpcFileWithPolars(path.join(out, 'exp.arrow')));
    await cli(['export', '--output', path.join(out, 'exp-empty.arrow'), '-e', 'nothing-here']);
    assertEmptyHistory(readIpcFileWithPolars(path.join(out, 'exp-empty.arrow')));
    await cli(['export', '--output', path.join(out, 'exp-none.arrow'), '-e', 'interop', '--filter', "params.lr = 'nope'"]);
    assertEmptyHistory(readIpcFileWithPolars(path.join(out, 'exp-none.arrow')));
  });
});
