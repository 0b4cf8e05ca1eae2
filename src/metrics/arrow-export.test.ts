import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { isTracklabError } from '../errors';
import { historyTable } from './arrow-history';
import { ARROW_FILE_MAGIC, writeArrowFile } from './arrow-export';
import { runsTable } from './arrow-runs';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

const values = [0.5, NaN, Infinity, -Infinity, 1e-300];
const blocks = [
  { runId: 'run-a', key: 'loss', steps: Float64Array.from([0, 1, 2]), timestamps: Float64Array.from([1, 2, 3]), values: Float64Array.from(values.slice(0, 3)) },
  { runId: 'run-b', key: 'acc', steps: Float64Array.from([10, 2 ** 40]), timestamps: Float64Array.from([4, 5]), values: Float64Array.from(values.slice(3)) },
];

test('writes an IPC file (not a stream) with ARROW1 magic at both ends', async () => {
  const file = path.join(tempDir(), 'history.arrow');
  await writeArrowFile(file, historyTable(blocks));
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), ARROW_FILE_MAGIC);
  assert.equal(bytes.subarray(bytes.length - 6).toString('latin1'), ARROW_FILE_MAGIC);
  const reader = RecordBatchReader.from(bytes);
  assert.ok(reader.isFile(), 'the reader recognised the random-access file format');
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['history.arrow'], 'no temp file is left beside it');
});

test('history round-trips: types, dictionaries, Int64 steps, NaN and ±Inf', async () => {
  const file = path.join(tempDir(), 'h.arrow');
  const original = historyTable(blocks);
  await writeArrowFile(file, original);
  const back = tableFromIPC(fs.readFileSync(file));
  assert.equal(back.schema.fields.map((f) => `${f.name}:${f.type}`).join(','),
    original.schema.fields.map((f) => `${f.name}:${f.type}`).join(','));
  assert.deepEqual([...back].map((r) => r.toJSON()), [...original].map((r) => r.toJSON()));
  assert.deepEqual([...(back.getChild('value')!.toArray() as Float64Array)], values);
});

test('runs table round-trips with nulls and dotted column names', async () => {
  const file = path.join(tempDir(), 'runs.arrow');
  const runs = runsTable([{
    info: { runId: 'a', runName: 'brave-otter-042', experimentId: '1', parentRunId: null, status: 'FINISHED', statusMessage: null, startTime: 1000, endTime: 2000, user: null, lifecycleStage: 'active' },
    data: { params: { lr: '0.1' }, tags: {}, metrics: { loss: { key: 'loss', last: NaN, lastStep: 0, lastTimestamp: 0, min: NaN, max: NaN, count: 1 } } },
  }, {
    info: { runId: 'b', runName: 'calm-heron-007', experimentId: '1', parentRunId: 'a', status: 'RUNNING', statusMessage: null, startTime: 1500, endTime: null, user: null, lifecycleStage: 'active' },
    data: { params: {}, tags: { note: 'x' }, metrics: {} },
  }]);
  await writeArrowFile(file, runs);
  const back = tableFromIPC(fs.readFileSync(file));
  assert.deepEqual([...back].map((r) => r.toJSON()), [...runs].map((r) => r.toJSON()));
  assert.equal(back.getChild('params.lr')!.get(1), null);
});

test('an existing file is replaced whole', async () => {
  const file = path.join(tempDir(), 'x.arrow');
  fs.writeFileSync(file, 'old contents that are not arrow at all');
  await writeArrowFile(file, historyTable(blocks.slice(0, 1)));
  assert.equal(tableFromIPC(fs.readFileSync(file)).numRows, 3);
});

test('a missing folder is a TracklabError, and nothing is written', async () => {
  const dir = tempDir();
  await assert.rejects(writeArrowFile(path.join(dir, 'nope', 'x.arrow'), historyTable(blocks)),
    (e: unknown) => isTracklabError(e, 'INTERNAL_ERROR') && /Could not write the Arrow file/.test(e.message));
  assert.deepEqual(fs.readdirSync(dir), []);
});

const pyarrow = spawnSync('python3', ['-c', 'import pyarrow'], { encoding: 'utf8' });
const pyarrowMissing = pyarrow.status === 0 ? false
  : `pyarrow is not installed here (python3 -c "import pyarrow" exited ${String(pyarrow.status ?? pyarrow.error?.message)}); the JS reader and magic-byte checks above still run`;

test('pyarrow reads the file', { skip: pyarrowMissing }, async () => {
  const file = path.join(tempDir(), 'py.arrow');
  await writeArrowFile(file, historyTable(blocks));
  const script = [
    'import json, math, sys, pyarrow.ipc as ipc',
    't = ipc.open_file(sys.argv[1]).read_all()',
    'v = [x if math.isfinite(x) else repr(x) for x in t.column("value").to_pylist()]',
    'print(json.dumps({"names": t.column_names, "types": [str(f.type) for f in t.schema], "rows": t.num_rows,',
    '  "run_id": t.column("run_id").to_pylist(), "step": t.column("step").to_pylist(), "value": v}))',
  ].join('\n');
  const out = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const seen = JSON.parse(out.stdout) as { names: string[]; types: string[]; rows: number; run_id: string[]; step: number[]; value: unknown[] };
  assert.deepEqual(seen.names, ['run_id', 'key', 'step', 'timestamp', 'value']);
  assert.deepEqual(seen.types, ['dictionary<values=string, indices=int32, ordered=0>', 'dictionary<values=string, indices=int32, ordered=0>', 'int64', 'timestamp[ms]', 'double']);
  assert.equal(seen.rows, 5);
  assert.deepEqual(seen.run_id, ['run-a', 'run-a', 'run-a', 'run-b', 'run-b']);
  assert.deepEqual(seen.step, [0, 1, 2, 10, 2 ** 40]);
  assert.deepEqual(seen.value, [0.5, 'nan', 'inf', '-inf', 1e-300]);
});
