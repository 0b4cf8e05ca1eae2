/**
 * The kernel bridge on the real tslab kernel under real nbconvert: display
 * bundles, in-place live updates, and cell hooks for ok, failed and
 * interrupted cells. Notebooks load the compiled bridge from dist/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  codeCells, displayOutputs, type ExecutedNotebook, interruptAt, makeNotebook, markerCode, mimeText, notebookWorkspace, runNotebook, streamText,
} from '../support/jupyter';

const SETUP = (eventsFile: string): string => [
  "import * as nb from 'tracklab/dist/src/notebook';",
  "import * as fs from 'fs';",
  `const eventsFile = ${JSON.stringify(eventsFile)};`,
  'nb.installCellHooks();',
  // Added first, yet with `last` it must run after the plain end listener below.
  "nb.onCellEnd((c) => { fs.appendFileSync(eventsFile, JSON.stringify({ kind: 'last', seq: c.seq }) + '\\n'); }, { last: true });",
  "nb.onCellStart((c) => { fs.appendFileSync(eventsFile, JSON.stringify({ kind: 'start', ...c }) + '\\n'); });",
  "nb.onCellEnd((c) => { fs.appendFileSync(eventsFile, JSON.stringify({ kind: 'end', ...c }) + '\\n'); });",
].join('\n');

interface HookEvent {
  readonly kind: 'start' | 'end' | 'last';
  readonly seq: number;
  readonly code: string;
  readonly executionCount: number | null;
  readonly startTime: number;
  readonly endTime?: number;
  readonly status?: string;
  readonly error?: string | null;
  readonly loadedHooks?: true;
}

function readEvents(file: string): HookEvent[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as HookEvent);
}

const SPEC = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { values: [{ x: 1, y: 2 }] },
  mark: 'point',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
};

// A synchronous loop blocks timers and microtasks; updates must still go out.
// It runs until three renders went out, not for a span of time, so a loaded
// machine only makes it longer; the count bound stops it if none ever did.
const BUSY_CELL = [
  'let renders = 0;',
  'let updates = 0;',
  'const renderedAt: number[] = [];',
  'const busy = nb.liveDisplay({ minIntervalMs: 50 });',
  'while (renders < 3 && updates < 20_000_000) {',
  '  const n = ++updates;',
  "  busy.update(() => { renders++; renderedAt.push(Date.now()); return { data: { 'text/plain': `busy ${n}` } }; });",
  '}',
  'const rendersDuringLoop = renders;',
  'const gaps = renderedAt.slice(1).map((t, i) => t - renderedAt[i]);',
  'await busy.close();',
  'console.log(JSON.stringify({ updates, rendersDuringLoop, renders, gaps }));',
].join('\n');

describe('kernel bridge on tslab under nbconvert', () => {
  let dir: string;
  let main: ExecutedNotebook;
  let interruptedAsync: ExecutedNotebook;
  let interruptedSync: ExecutedNotebook;
  const events = { main: '', async: '', sync: '' };
  const markers = { async: '', sync: '' };

  before(async () => {
    dir = notebookWorkspace();
    for (const key of Object.keys(events) as (keyof typeof events)[]) events[key] = path.join(dir, `${key}.jsonl`);
    for (const key of Object.keys(markers) as (keyof typeof markers)[]) markers[key] = path.join(dir, `${key}.started`);
    // Each failure ends its notebook: tslab cancels cells queued within
    // 200 ms of a failed one, and nbconvert queues the next cell at once.
    [main, interruptedAsync, , interruptedSync] = await Promise.all([
      runNotebook(dir, 'main.ipynb', makeNotebook([
        SETUP(events.main),
        `nb.display({ data: { 'application/vnd.vegalite.v5+json': ${JSON.stringify(SPEC)}, 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>', 'text/plain': 'chart' } });\nnb.display({ data: { 'text/html': '<b>table</b>', 'text/plain': 'table' } });`,
        "const live = nb.liveDisplay({ minIntervalMs: 50 });\nfor (let i = 0; i < 100; i++) {\n  live.update({ data: { 'text/plain': `step ${i}`, 'text/html': `<i>step ${i}</i>` } });\n  await new Promise((r) => setTimeout(r, 3));\n}\nawait live.close();",
        "const id = nb.newDisplayId();\nnb.display({ data: { 'text/plain': 'first' } }, { displayId: id });",
        "nb.display({ data: { 'text/plain': 'replaced from a later cell' } }, { displayId: id, update: true });\nconst lr = 0.3;\nlr * 2",
        BUSY_CELL,
        "console.error('noise before the error');\nthrow new Error('boom <in> cell');",
      ]), { allowErrors: true }),
      // Interrupted (SIGINT, as Jupyter does) once the cell says it is waiting or looping: a
      // cell timeout would also cover the setup cell, which takes seconds on a loaded machine.
      runNotebook(dir, 'async.ipynb', makeNotebook([
        SETUP(events.async),
        // The marker is written from a timer, so only once the cell is awaiting.
        `await new Promise((r) => { setTimeout(() => ${markerCode(markers.async)}, 0); setTimeout(r, 600_000); });`,
      ]), { allowErrors: true }),
      interruptAt(markers.async),
      runNotebook(dir, 'sync.ipynb', makeNotebook([
        SETUP(events.sync),
        `${markerCode(markers.sync)};\nlet n = 0;\nwhile (n >= 0) { n = (n + 1) % 1000; }`,
      ]), { allowErrors: true }),
      interruptAt(markers.sync),
    ]);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends bundles with JSON mimetypes as objects', () => {
    const cell = codeCells(main.notebook)[1];
    assert.equal(streamText(cell, 'stderr'), '');
    const outputs = displayOutputs(cell);
    assert.equal(outputs.length, 2);
    const chart = outputs[0].data ?? {};
    assert.deepEqual(chart['application/vnd.vegalite.v5+json'], SPEC);
    assert.match(mimeText(outputs[0], 'image/svg+xml') ?? '', /<circle/);
    assert.equal(mimeText(outputs[0], 'text/plain'), 'chart');
    assert.equal(mimeText(outputs[1], 'text/html'), '<b>table</b>');
  });

  it('keeps one live output whose final state is saved', () => {
    const cell = codeCells(main.notebook)[2];
    assert.equal(streamText(cell, 'stderr'), '');
    const outputs = displayOutputs(cell);
    assert.equal(outputs.length, 1, 'updates replace the output instead of adding outputs');
    assert.equal(mimeText(outputs[0], 'text/plain'), 'step 99');
    assert.equal(mimeText(outputs[0], 'text/html'), '<i>step 99</i>');
  });

  it('sends throttled updates while a synchronous loop runs', () => {
    const cell = codeCells(main.notebook)[5];
    const stats = JSON.parse(streamText(cell, 'stdout')) as { updates: number; rendersDuringLoop: number; renders: number; gaps: number[] };
    assert.equal(stats.rendersDuringLoop, 3, `rendered during the loop: ${JSON.stringify(stats)}`);
    // Throttled: renders at least minIntervalMs apart (by the same clock the display uses), most updates only marked.
    assert.ok(stats.gaps.every((gap) => gap >= 50), `throttled: ${JSON.stringify(stats)}`);
    assert.ok(stats.updates > stats.rendersDuringLoop, `throttled: ${JSON.stringify(stats)}`);
    assert.equal(stats.renders, stats.rendersDuringLoop + 1, 'close renders the final state once');
    const outputs = displayOutputs(cell);
    assert.equal(outputs.length, 1);
    assert.equal(mimeText(outputs[0], 'text/plain'), `busy ${stats.updates}`);
  });

  it('updates an output of an earlier cell by display id', () => {
    const [, , , first, later] = codeCells(main.notebook);
    assert.deepEqual(displayOutputs(first).map((o) => mimeText(o, 'text/plain')), ['replaced from a later cell']);
    assert.equal(displayOutputs(later).length, 0);
    assert.match(streamText(later, 'stdout'), /0\.6/);
  });

  it('reports the end of the cell that installed the hooks, with its source and count unknown', () => {
    const [first] = readEvents(events.main);
    assert.deepEqual(
      { kind: first?.kind, seq: first?.seq, code: first?.code, count: first?.executionCount, status: first?.status, error: first?.error, loadedHooks: first?.loadedHooks },
      { kind: 'end', seq: 1, code: '', count: null, status: 'ok', error: null, loadedHooks: true },
    );
  });

  it('reports source, execution count and status of every later cell', () => {
    const all = readEvents(events.main).filter((e) => e.seq >= 2 && e.seq <= 6);
    const ends = all.filter((e) => e.kind === 'end');
    const starts = all.filter((e) => e.kind === 'start');
    const sources = codeCells(main.notebook).slice(1, 6).map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
    assert.deepEqual(ends.map((e) => e.code), sources);
    assert.deepEqual(starts.map((e) => e.code), sources);
    assert.deepEqual(ends.map((e) => e.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(ends.map((e) => e.executionCount), [2, 3, 4, 5, 6]);
    assert.deepEqual(starts.map((e) => e.executionCount), [2, 3, 4, 5, 6]);
    for (const e of ends) {
      assert.ok(e.endTime !== undefined && e.endTime >= e.startTime);
      assert.equal(e.error, null);
    }
  });

  it('runs end listeners added with `last` after the others, for every cell', () => {
    const order = readEvents(events.main).filter((e) => e.kind !== 'start').map((e) => `${e.kind} ${e.seq}`);
    const expected = [...new Set(readEvents(events.main).map((e) => e.seq))].flatMap((seq) => [`end ${seq}`, `last ${seq}`]);
    assert.deepEqual(order, expected);
  });

  it('reports a failed cell with the error message and no stack', () => {
    const end = readEvents(events.main).find((e) => e.kind === 'end' && e.seq === 7);
    assert.equal(end?.status, 'error');
    assert.equal(end?.error, 'Error: boom <in> cell');
    assert.equal(end?.executionCount, 7);
    const out = codeCells(main.notebook)[6];
    assert.match(streamText(out, 'stderr'), /boom <in> cell/, 'tslab still prints the error under the cell');
  });

  it('reports an interrupted cell as aborted, awaiting or busy', () => {
    const [asyncEnd, ...asyncMore] = readEvents(events.async).filter((e) => e.kind === 'end' && !e.loadedHooks);
    assert.equal(asyncEnd?.status, 'aborted');
    assert.equal(asyncEnd.error, 'Error: Interrupted asynchronously');
    assert.equal(asyncMore.length, 0);
    const [syncEnd] = readEvents(events.sync).filter((e) => e.kind === 'end' && !e.loadedHooks);
    assert.equal(syncEnd?.status, 'aborted');
    assert.match(syncEnd.error ?? '', /interrupted by `SIGINT`/);
    for (const executed of [interruptedAsync, interruptedSync]) {
      assert.match(streamText(codeCells(executed.notebook)[1]!, 'stderr'), /interrupted/i, 'tslab printed the interrupt under the cell');
    }
  });
});
