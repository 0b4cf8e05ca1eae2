import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newHeader, type JupyterMessage } from './jupyter-message';
import { createOutputRecorder } from './output-recorder';

function msg(type: string, content: Record<string, unknown>): JupyterMessage {
  return { header: newHeader(type, 's'), parent_header: {}, metadata: {}, content, buffers: [] };
}

test('consecutive stream text of one name is merged; another name starts a new output', () => {
  const r = createOutputRecorder();
  r.record(0, msg('stream', { name: 'stdout', text: 'a\n' }));
  r.record(0, msg('stream', { name: 'stdout', text: 'b\n' }));
  r.record(0, msg('stream', { name: 'stderr', text: 'e\n' }));
  r.record(0, msg('stream', { name: 'stdout', text: 'c\n' }));
  assert.deepEqual(r.outputs(0), [
    { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
    { output_type: 'stream', name: 'stderr', text: 'e\n' },
    { output_type: 'stream', name: 'stdout', text: 'c\n' },
  ]);
});

test('update_display_data rewrites every earlier output with that display_id, in any cell, and keeps transient out', () => {
  const r = createOutputRecorder();
  r.record(0, msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd1' } }));
  r.record(1, msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd1' } }));
  r.record(1, msg('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: { display_id: 'd2' } }));
  r.record(2, msg('update_display_data', { data: { 'text/html': '<b>v2</b>' }, metadata: { isolated: true }, transient: { display_id: 'd1' } }));
  const v2 = { output_type: 'display_data', data: { 'text/html': '<b>v2</b>' }, metadata: { isolated: true } };
  assert.deepEqual(r.outputs(0), [v2]);
  assert.deepEqual(r.outputs(1), [v2, { output_type: 'display_data', data: { 'text/plain': 'other' }, metadata: {} }]);
  assert.deepEqual(r.outputs(2), [], 'an update adds no output of its own');
  assert.deepEqual(r.cellIndexes().sort(), [0, 1], 'the updating cell has no outputs to track');
});

test('a new display_data reusing a display_id updates the earlier ones and is appended too', () => {
  const r = createOutputRecorder();
  r.record(0, msg('display_data', { data: { 'text/plain': 'old' }, metadata: {}, transient: { display_id: 'x' } }));
  r.record(1, msg('display_data', { data: { 'text/plain': 'new' }, metadata: {}, transient: { display_id: 'x' } }));
  assert.deepEqual(r.outputs(0), [{ output_type: 'display_data', data: { 'text/plain': 'new' }, metadata: {} }]);
  assert.deepEqual(r.outputs(1), [{ output_type: 'display_data', data: { 'text/plain': 'new' }, metadata: {} }]);
});

test('clear_output empties the cell now, or before the next output with wait', () => {
  const r = createOutputRecorder();
  r.record(0, msg('stream', { name: 'stdout', text: 'gone\n' }));
  r.record(0, msg('clear_output', { wait: false }));
  assert.deepEqual(r.outputs(0), []);
  r.record(0, msg('stream', { name: 'stdout', text: 'shown\n' }));
  r.record(0, msg('clear_output', { wait: true }));
  assert.equal(r.outputs(0).length, 1, 'wait keeps the output until something new arrives');
  r.record(0, msg('stream', { name: 'stdout', text: 'last\n' }));
  assert.deepEqual(r.outputs(0), [{ output_type: 'stream', name: 'stdout', text: 'last\n' }]);
});

test('a display cleared from its cell is no longer updated there', () => {
  const r = createOutputRecorder();
  r.record(0, msg('display_data', { data: { 'text/plain': 'a' }, metadata: {}, transient: { display_id: 'k' } }));
  r.record(0, msg('clear_output', { wait: false }));
  r.record(0, msg('stream', { name: 'stdout', text: 'x' }));
  r.record(1, msg('update_display_data', { data: { 'text/plain': 'b' }, metadata: {}, transient: { display_id: 'k' } }));
  assert.deepEqual(r.outputs(0), [{ output_type: 'stream', name: 'stdout', text: 'x' }]);
});

test('execute_result keeps its execution_count; error keeps ename, evalue and traceback', () => {
  const r = createOutputRecorder();
  r.record(3, msg('execute_input', { code: '1+1', execution_count: 7 }));
  r.record(3, msg('execute_result', { data: { 'text/plain': '2' }, metadata: {}, execution_count: 7 }));
  r.record(3, msg('error', { ename: 'TypeError', evalue: 'x is not a function', traceback: ['TypeError: x is not a function', '    at cell'] }));
  assert.deepEqual(r.outputs(3), [
    { output_type: 'execute_result', execution_count: 7, data: { 'text/plain': '2' }, metadata: {} },
    { output_type: 'error', ename: 'TypeError', evalue: 'x is not a function', traceback: ['TypeError: x is not a function', '    at cell'] },
  ]);
});
