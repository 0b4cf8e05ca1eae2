import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTracklabError } from '../errors';
import { newHeader } from './jupyter-message';
import { isCodeCell, mergeStreams, parseNotebook, readNotebook, serializeNotebook, writeNotebook, type Notebook } from './nbformat';
import { createOutputRecorder } from './output-recorder';

const v44 = {
  nbformat: 4,
  nbformat_minor: 4,
  metadata: {},
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
    { cell_type: 'code', metadata: {}, source: 'const a = 1;', execution_count: null, outputs: [] },
    { cell_type: 'code', metadata: {}, source: 'const a = 1;', execution_count: null, outputs: [] },
  ],
};

test('notebooks without cell ids get stable, unique, valid ids', () => {
  const a = parseNotebook(JSON.stringify(v44));
  const b = parseNotebook(JSON.stringify(v44));
  assert.deepEqual(a.cells.map((c) => c.id), b.cells.map((c) => c.id));
  assert.equal(new Set(a.cells.map((c) => c.id)).size, 3, 'identical cells still get distinct ids');
  for (const c of a.cells) assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/);
  assert.equal(a.nbformat_minor, 5);
  assert.equal(a.cells[0]!.source, '# Title\ntext');
});

test('valid ids are kept and a duplicate id is replaced', () => {
  const nb = parseNotebook({
    ...v44,
    cells: [
      { ...v44.cells[1], id: 'keep-me' },
      { ...v44.cells[2], id: 'keep-me' },
    ],
  });
  assert.equal(nb.cells[0]!.id, 'keep-me');
  assert.notEqual(nb.cells[1]!.id, 'keep-me');
});

test('serialised notebooks read back equal and pass Python nbformat validation with every output type', () => {
  const rec = createOutputRecorder();
  const send = (type: string, content: Record<string, unknown>): void =>
    rec.record(1, { header: newHeader(type, 's'), parent_header: {}, metadata: {}, content, buffers: [] });
  send('stream', { name: 'stdout', text: 'line 1\nline 2\n' });
  send('display_data', { data: { 'text/html': '<p>a\nb</p>', 'text/plain': 'ab', 'application/vnd.vegalite.v5+json': { mark: 'bar' } }, metadata: {}, transient: { display_id: 'd' } });
  send('execute_result', { data: { 'text/plain': '42' }, metadata: {}, execution_count: 3 });
  send('error', { ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] });
  const base = parseNotebook(JSON.stringify(v44));
  const nb: Notebook = {
    ...base,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } },
    cells: base.cells.map((c, i) => (isCodeCell(c) && i === 1 ? { ...c, execution_count: 3, outputs: rec.outputs(1) } : c)),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const file = path.join(dir, 'out.ipynb');
  writeNotebook(file, nb);
  assert.deepEqual(readNotebook(file), nb);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(raw.cells[1].outputs[0].text, ['line 1\n', 'line 2\n'], 'multiline text is stored as a list of lines');
  assert.deepEqual(raw.cells[1].outputs[1].data['application/vnd.vegalite.v5+json'], { mark: 'bar' }, 'JSON mimetypes stay objects');
  assert.equal(raw.cells[1].outputs[1].transient, undefined);
  const py = spawnSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")', file], { encoding: 'utf8' });
  assert.equal(py.stdout.trim(), 'valid', py.stderr);
});

test('mergeStreams joins consecutive stream outputs of one name', () => {
  const nb = parseNotebook({
    ...v44,
    cells: [{ ...v44.cells[1], outputs: [
      { output_type: 'stream', name: 'stdout', text: 'a' },
      { output_type: 'stream', name: 'stdout', text: 'b' },
      { output_type: 'stream', name: 'stderr', text: 'c' },
    ] }],
  });
  const cell = mergeStreams(nb).cells[0]!;
  assert.ok(isCodeCell(cell));
  assert.deepEqual(cell.outputs, [{ output_type: 'stream', name: 'stdout', text: 'ab' }, { output_type: 'stream', name: 'stderr', text: 'c' }]);
});

test('bad input is a typed error that says what is wrong', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(isTracklabError(error, 'INVALID_PARAMETER_VALUE'), String(error));
      return error.message;
    }
    assert.fail('expected an error');
  };
  assert.match(code(() => parseNotebook('{"nbformat": 3, "worksheets": []}')), /only nbformat 4/);
  assert.match(code(() => parseNotebook('{not json')), /not valid JSON/);
  assert.match(code(() => parseNotebook('{"nbformat":4,"nbformat_minor":5,"metadata":{"__proto__":{"x":1}},"cells":[]}')), /__proto__/);
  assert.match(code(() => parseNotebook({ ...v44, cells: [{ cell_type: 'sql', source: '' }] })), /unknown cell_type/);
  assert.ok(serializeNotebook(parseNotebook(JSON.stringify(v44))).endsWith('}\n'));
});
