import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dictionary, Int32, RecordBatchReader, Table, Utf8, makeData, makeVector, tableFromIPC, tableToIPC } from 'apache-arrow';
import { HISTORY_DTYPES, readIpcFileWithPolars, readIpcWithPolars } from '../../test/support/polars';
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

test('polars reads the history file: names, types, Int64 steps, NaN and ±Inf', async () => {
  const file = path.join(tempDir(), 'h.arrow');
  await writeArrowFile(file, historyTable(blocks));
  const frame = readIpcFileWithPolars(file);
  assert.deepEqual(frame.columns, ['run_id', 'key', 'step', 'timestamp', 'value']);
  assert.deepEqual(frame.dtypes, [...HISTORY_DTYPES]);
  assert.equal(frame.height, 5);
  assert.deepEqual(frame.column('run_id'), ['run-a', 'run-a', 'run-a', 'run-b', 'run-b']);
  assert.deepEqual(frame.column('key'), ['loss', 'loss', 'loss', 'acc', 'acc']);
  assert.deepEqual(frame.column('step'), [0, 1, 2, 10, 2 ** 40]);
  assert.deepEqual(frame.column('timestamp').map((d) => (d as Date).getTime()), [1, 2, 3, 4, 5]);
  assert.deepEqual(frame.column('value'), values);
});

test('polars reads a history table serialized in memory, as a notebook user would pass it on', () => {
  const frame = readIpcWithPolars(tableToIPC(historyTable(blocks), 'file'));
  assert.deepEqual(frame.dtypes, [...HISTORY_DTYPES]);
  assert.deepEqual(frame.column('value'), values);
});

test('an empty history (no points) is its schema alone, and polars reads it from memory and from a file', async () => {
  const empty = historyTable([]);
  assert.equal(empty.numRows, 0);
  assert.equal(empty.batches.length, 0, 'no zero-row batch, whose dictionaries apache-arrow would not write');
  assert.deepEqual(empty.schema.fields.map((f) => `${f.name}:${f.type}`), historyTable(blocks).schema.fields.map((f) => `${f.name}:${f.type}`));
  assert.deepEqual([...(empty.getChild('value')?.toArray() ?? [])], []);
  for (const bytes of [tableToIPC(empty, 'file'), await written(empty)]) {
    const frame = readIpcWithPolars(bytes);
    assert.equal(frame.height, 0);
    assert.deepEqual(frame.columns, ['run_id', 'key', 'step', 'timestamp', 'value']);
    assert.deepEqual(frame.dtypes, [...HISTORY_DTYPES]);
    assert.equal(tableFromIPC(bytes).numRows, 0, 'apache-arrow reads it too');
  }
});

test('writeArrowFile drops zero-row batches, whatever built the table', async () => {
  const full = historyTable(blocks);
  const none = full.batches[0].slice(0, 0);
  const mixed = new Table([none, ...full.batches, none]);
  assert.equal(mixed.batches.length, 3);
  const frame = readIpcWithPolars(await written(mixed));
  assert.equal(frame.height, 5);
  assert.deepEqual(frame.column('value'), values);
  // One zero-row batch whose dictionary columns have empty dictionaries: what historyTable([]) gave before,
  // and what any table built from empty vectors gives. apache-arrow writes no dictionary batch for it.
  const emptyDictionary = () => makeVector(makeData({
    type: new Dictionary(new Utf8(), new Int32()), length: 0, nullCount: 0, data: new Int32Array(0),
    dictionary: makeVector(makeData({ type: new Utf8(), length: 0, nullCount: 0, valueOffsets: new Int32Array(1), data: new Uint8Array(0) })),
  }));
  const zeroRows = new Table({ run_id: emptyDictionary(), key: emptyDictionary(), value: makeVector(new Float64Array(0)) });
  assert.equal(zeroRows.batches.length, 1);
  const allEmpty = readIpcWithPolars(await written(zeroRows));
  assert.equal(allEmpty.height, 0);
  assert.deepEqual(allEmpty.dtypes, ['Categorical', 'Categorical', 'Float64']);
});

test('polars reads the runs table, with no runs and with nulls and NaN', async () => {
  const runs = runsTable([{
    info: { runId: 'a', runName: 'brave-otter-042', experimentId: '1', parentRunId: null, status: 'FINISHED', statusMessage: null, startTime: 1000, endTime: 2000, user: null, lifecycleStage: 'active' },
    data: { params: { lr: '0.1' }, tags: {}, metrics: { loss: { key: 'loss', last: NaN, lastStep: 0, lastTimestamp: 0, min: NaN, max: NaN, count: 1 }, best: { key: 'best', last: -Infinity, lastStep: 0, lastTimestamp: 0, min: 0, max: 0, count: 1 } } },
  }, {
    info: { runId: 'b', runName: 'calm-heron-007', experimentId: '1', parentRunId: 'a', status: 'RUNNING', statusMessage: null, startTime: 1500, endTime: null, user: null, lifecycleStage: 'active' },
    data: { params: {}, tags: { note: 'x' }, metrics: { best: { key: 'best', last: Infinity, lastStep: 0, lastTimestamp: 0, min: 0, max: 0, count: 1 } } },
  }]);
  const frame = readIpcWithPolars(await written(runs));
  assert.equal(frame.height, 2);
  assert.deepEqual(frame.column('params.lr'), ['0.1', null]);
  assert.deepEqual(frame.column('parent_run_id'), [null, 'a']);
  assert.deepEqual(frame.column('metrics.loss'), [NaN, null]);
  assert.deepEqual(frame.column('metrics.best'), [-Infinity, Infinity]);
  assert.deepEqual(frame.column('end_time').map((d) => (d === null ? null : (d as Date).getTime())), [2000, null]);
  const none = readIpcWithPolars(await written(runsTable([])));
  assert.equal(none.height, 0);
  assert.deepEqual(none.columns, ['run_id', 'run_name', 'experiment_id', 'status', 'start_time', 'end_time', 'parent_run_id']);
  assert.equal(readIpcWithPolars(tableToIPC(runsTable([]), 'file')).height, 0);
});

async function written(table: Table): Promise<Buffer> {
  const file = path.join(tempDir(), 'x.arrow');
  await writeArrowFile(file, table);
  return fs.readFileSync(file);
}
