import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { CodeCell } from './nbformat';
import { createProgressDisplay, progressLine } from './progress';

const cell = (source: string): CodeCell => ({ id: 'c', cell_type: 'code', source, metadata: {}, execution_count: null, outputs: [] });

test('the line shows cells done of total and the first non-blank line of the running cell', () => {
  assert.equal(progressLine(2, 5, cell('\n  const model = train(data);\nmore'), 80), '[2/5] const model = train(data);');
  assert.equal(progressLine(5, 5, undefined, 80), '[5/5] done');
  const cut = progressLine(1, 9, cell('x'.repeat(100)), 30);
  assert.equal(cut.length, 30);
  assert.ok(cut.endsWith('…'));
});

test('without a TTY, plain lines, one per change', () => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (d: Buffer) => chunks.push(d.toString()));
  const p = createProgressDisplay(out);
  p.update(0, 2, cell('a()'));
  p.update(1, 2, cell('b()'));
  p.update(2, 2);
  p.finish('ok');
  assert.equal(chunks.join(''), '[0/2] a()\n[1/2] b()\n[2/2] done\nok\n');
});

test('on a TTY, one line rewritten in place', () => {
  const out = Object.assign(new PassThrough(), { isTTY: true, columns: 40 });
  const chunks: string[] = [];
  out.on('data', (d: Buffer) => chunks.push(d.toString()));
  const p = createProgressDisplay(out);
  p.update(0, 2, cell('a()'));
  p.update(1, 2, cell('b()'));
  p.finish('done in 1 s');
  const text = chunks.join('');
  assert.equal(text.split('\n').length, 2, 'a single newline, at the end');
  assert.ok(text.startsWith('\r\x1b[2K[0/2] a()\r\x1b[2K[1/2] b()'));
  assert.ok(text.endsWith('\r\x1b[2Kdone in 1 s\n'));
});
