import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricSummary, Run, RunStatus } from '../entities';
import type { MetricSeries } from '../charts/series';
import { Mime, type DisplayBundle } from './bundle';
import { compareBundles } from './comparison';
import { runsTableBundle } from './runs-table';
import { runCardBundles } from './run-card';
import { runBundle } from './run-view';
import { bundleBytes, MAX_CHART_BUNDLE_BYTES } from './chart-bundle';
import { formatNumber, formatDuration } from './format';
import { textTable } from './text-table';
import { dependenciesSummary, groupTags, noteOf } from './run-tags';
import { differingParams } from './run-metrics';
import { isTracklabError } from '../errors';

const XSS = '<img src=x onerror=alert(1)>';
const KEY = 'a"b<c';

function summarize(key: string, values: ArrayLike<number>): MetricSummary {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) (min = Math.min(min, values[i])), (max = Math.max(max, values[i]));
  const n = values.length;
  return { key, last: values[n - 1], lastStep: n - 1, lastTimestamp: 0, min: n ? min : NaN, max: n ? max : NaN, count: n };
}

function makeRun(runId: string, runName: string, params: Record<string, string>, history: Record<string, Float64Array>, status: RunStatus = 'FINISHED'): { run: Run; series: MetricSeries[] } {
  const metrics: Record<string, MetricSummary> = {};
  const series: MetricSeries[] = [];
  for (const [key, values] of Object.entries(history)) {
    metrics[key] = summarize(key, values);
    const steps = new Float64Array(values.length);
    for (let i = 0; i < steps.length; i++) steps[i] = i;
    series.push({ runId, key, steps, values });
  }
  const run: Run = {
    info: { runId, runName, experimentId: '0', parentRunId: null, status, statusMessage: null, startTime: 1_700_000_000_000, endTime: 1_700_000_065_000, user: null, lifecycleStage: 'active' },
    data: { params, tags: {}, metrics },
  };
  return { run, series };
}

function decay(n: number, rate: number, floor: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = floor + Math.exp(-i / rate) + 0.01 * Math.sin(i * 0.37);
  return out;
}

const fixtures = [
  makeRun('r1', 'brave-otter-001', { lr: '0.1', epochs: '10', [KEY]: 'x', seed: '1' }, { loss: decay(400, 60, 0.2), acc: decay(400, 90, 0) }),
  makeRun('r2', XSS, { lr: '0.01', epochs: '10', [KEY]: 'y', seed: '1' }, { loss: decay(400, 120, 0.1), acc: decay(400, 80, 0) }),
  makeRun('r3', 'calm-heron-003', { lr: '0.001', epochs: '10', [KEY]: 'x', seed: '1' }, { loss: Float64Array.of(1, NaN, Infinity, 0.5) }, 'FAILED'),
];
const runs = fixtures.map((f) => f.run);
const histories = fixtures.flatMap((f) => f.series);

function assertChartBundle(b: DisplayBundle): void {
  assert.deepEqual(Object.keys(b.data).sort(), [Mime.svg, Mime.plain, Mime.vegaLite].sort());
  assert.equal(typeof b.data[Mime.vegaLite], 'object');
  assert.match(b.data[Mime.svg] as string, /^<svg /);
  assert.ok(bundleBytes(b) <= MAX_CHART_BUNDLE_BYTES, `${bundleBytes(b)} bytes`);
}

test('comparison: table, history, parallel coordinates and scatter, each in its own bundle', async () => {
  const bundles = await compareBundles({ runs, histories, metric: 'loss', smoothing: 0.5 });
  assert.equal(bundles.length, 4);
  const [table, ...charts] = bundles;
  assert.deepEqual(Object.keys(table.data).sort(), [Mime.html, Mime.plain].sort());
  charts.forEach(assertChartBundle);
  const html = table.data[Mime.html] as string;
  // Only differing params: lr and a"b<c, not epochs or seed.
  assert.ok(html.includes('<th>lr</th>') && html.includes('<th>a&quot;b&lt;c</th>'));
  assert.ok(!html.includes('<th>epochs</th>') && !html.includes('<th>seed</th>'));
  // loss is minimised: r2 ends lowest, so its row is the best one.
  const bestRow = html.match(/<tr class="tl-best">(.*?)<\/tr>/)?.[1] ?? '';
  assert.ok(bestRow.includes('&lt;img src=x onerror=alert(1)&gt;'), bestRow);
  assert.ok(!html.includes('<img'), 'no raw user markup in HTML');
  // NaN / Inf are shown as such (r3's last value is 0.5, its max is Inf).
  assert.ok(html.includes('>Inf<'));
  const plain = table.data[Mime.plain] as string;
  assert.match(plain, /^\* <img src=x onerror=alert\(1\)>/m);
  const scatterText = charts[2].data[Mime.plain] as string;
  assert.match(scatterText, /scatter: loss by (lr|a"b<c)/);
  const spec = JSON.stringify(charts[0].data[Mime.vegaLite]);
  assert.ok(spec.includes(JSON.stringify(XSS)), 'run name is a data value in the spec');
});

test('comparison picks max for accuracy-like metrics and validates its input', async () => {
  const bundles = await compareBundles({ runs, histories, metric: 'acc' });
  const html = bundles[0].data[Mime.html] as string;
  assert.ok((html.match(/<tr class="tl-best">(.*?)<\/tr>/)?.[1] ?? '').includes('brave-otter-001'));
  await assert.rejects(compareBundles({ runs, histories, metric: '' }), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  await assert.rejects(compareBundles({ runs, histories, metric: 'loss', mode: 'best' as never }), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  const none = await compareBundles({ runs, histories, metric: 'missing' });
  assert.equal(none.length, 1, 'no charts for a metric no run has');
});

test('comparison marks every run tied for best, as tracklab compare does', async () => {
  const tied = [
    makeRun('t1', 'tied-one', { lr: '0.1' }, { val_loss: Float64Array.of(0.5, 0.25) }),
    makeRun('t2', 'tied-two', { lr: '0.01' }, { val_loss: Float64Array.of(0.4, 0.25) }),
    makeRun('t3', 'worse', { lr: '0.001' }, { val_loss: Float64Array.of(0.6, 0.3) }),
  ];
  const table = runsTableBundle(tied.map((t) => t.run), { metric: 'val_loss', mode: 'min' });
  const best = [...(table.data[Mime.html] as string).matchAll(/<tr class="tl-best">(.*?)<\/tr>/g)].map((m) => m[1]);
  assert.deepEqual(best.map((row) => /tied-one|tied-two|worse/.exec(row)?.[0]), ['tied-one', 'tied-two']);
  assert.deepEqual((table.data[Mime.plain] as string).split('\n').filter((l) => l.startsWith('* ')).map((l) => l.split(/\s+/)[1]), ['tied-one', 'tied-two']);
  // The scatter marks the same runs.
  const bundles = await compareBundles({ runs: tied.map((t) => t.run), histories: tied.flatMap((t) => t.series), metric: 'val_loss', mode: 'min' });
  const scatter = bundles.map((b) => b.data[Mime.vegaLite] as { mark?: { type?: string }; data?: { values?: { run: string; best: string }[] } } | undefined)
    .find((spec) => spec?.mark?.type === 'point');
  assert.deepEqual(scatter?.data?.values?.filter((p) => p.best === 'best').map((p) => p.run), ['tied-one', 'tied-two']);
});

test('100 runs × 100k steps: every chart bundle stays under 300 KB', async () => {
  const n = 100_000;
  const big = Array.from({ length: 100 }, (_, r) =>
    makeRun(`id${r}`, `run-${String(r).padStart(3, '0')}`, { lr: String(10 ** -(1 + (r % 4))), layers: String(1 + (r % 3)) }, { loss: decay(n, 5000 + r * 300, r / 1000) }),
  );
  const started = Date.now();
  const bundles = await compareBundles({ runs: big.map((b) => b.run), histories: big.flatMap((b) => b.series), metric: 'loss', smoothing: 0.6 });
  const ms = Date.now() - started;
  for (const b of bundles.slice(1)) assertChartBundle(b);
  assert.ok(bundleBytes(bundles[0]) <= MAX_CHART_BUNDLE_BYTES);
  assert.match(bundles[1].data[Mime.svg] as string, /20 best of 100 runs/);
  console.log(`# 100 runs x 100k steps compare: ${ms} ms, bundles ${bundles.map((b) => bundleBytes(b)).join(', ')} bytes`);
});

test('runs table escapes names and keys; plain text stays aligned', () => {
  const b = runsTableBundle(runs);
  const html = b.data[Mime.html] as string;
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;') && !html.includes('<img'));
  assert.ok(html.includes('a&quot;b&lt;c'));
  const [, header, , ...rows] = (b.data[Mime.plain] as string).split('\n');
  const column = header.indexOf('status');
  assert.ok(column > 0);
  assert.deepEqual(rows.slice(0, 3).map((l) => l.search(/FINISHED|FAILED/)), [column, column, column]);
  assert.ok(rows[1].includes(XSS), 'plain text shows the name as text');
});

test('run card: one HTML bundle with status, params, sparklines and collapsed cells', () => {
  const steps = Float64Array.from({ length: 50 }, (_, i) => i);
  const values = Float64Array.from(steps, (s) => 1 / (s + 1));
  const [card, ...rest] = runCardBundles({
    runName: XSS,
    runId: 'abc123',
    status: 'RUNNING',
    params: { lr: 0.1, [KEY]: '</style><script>alert(1)</script>' },
    latest: { loss: { value: 0.02, step: 49 }, 'acc.top[1]': { value: NaN, step: 3 } },
    series: [{ key: 'loss', steps, values }],
    cells: [{ executionCount: 3, source: 'for (const x of xs) { if (x < 1) log({ loss: x }); }', durationMs: 1234, status: 'ok' }],
    startTime: 1000,
    now: 1000 + 125_000,
  });
  assert.equal(rest.length, 0);
  const html = card.data[Mime.html] as string;
  assert.ok(!html.includes('<img') && !html.includes('<script>'));
  assert.ok(html.includes('&lt;/style&gt;&lt;script&gt;'));
  assert.ok(html.includes('>RUNNING</span>') && html.includes('2m 05s'));
  assert.match(html, /<svg [^>]*><path d="M/);
  assert.match(html, /<details><summary>cells \(1\)<\/summary>.*if \(x &lt; 1\)/);
  assert.ok(html.includes('>NaN<'));
  const text = card.data[Mime.plain] as string;
  assert.match(text, /^run <img src=x onerror=alert\(1\)> \[RUNNING\] 2m 05s/);
  assert.match(text, /acc\.top\[1\]\s+NaN\s+3/);
});

test('runs table and comparison: a datasets column only when a shown run has a label, escaped', async () => {
  const header = (b: DisplayBundle) => (b.data[Mime.plain] as string).split('\n')[1];
  assert.doesNotMatch(header(runsTableBundle(runs)), /datasets/);
  assert.doesNotMatch(header(runsTableBundle(runs, { datasets: new Map([['r1', ''], ['elsewhere', 'x@1']]) })), /datasets/);
  const datasets = new Map([['r1', 'mnist@3f2a1c9d (training)'], ['r2', `${XSS}@00000000`]]);
  const table = runsTableBundle(runs, { datasets });
  const html = table.data[Mime.html] as string;
  assert.ok(html.includes('<th>datasets</th>'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;@00000000') && !html.includes('<img'));
  const lines = (table.data[Mime.plain] as string).split('\n');
  const column = lines[1].indexOf('datasets');
  assert.equal(lines.find((l) => l.startsWith('brave-otter-001'))?.slice(column, column + 25), 'mnist@3f2a1c9d (training)');
  assert.equal(lines.find((l) => l.startsWith('calm-heron-003'))?.slice(column, column + 25).trim(), '', 'r3 used no dataset');
  const [compared] = await compareBundles({ runs, histories, metric: 'loss', datasets });
  assert.ok((compared.data[Mime.html] as string).includes('<th>datasets</th>'));
  const [plain] = await compareBundles({ runs, histories, metric: 'loss' });
  assert.ok(!(plain.data[Mime.html] as string).includes('datasets'));
});

test('run card: note, datasets and provenance, escaped; none of them when absent', () => {
  const base = { runName: 'r', runId: 'id1', status: 'FINISHED' as const, params: {}, latest: {}, series: [], startTime: 0, endTime: 10 };
  const [card] = runCardBundles({
    ...base,
    note: `try ${XSS}\nnext: lower lr`,
    inputs: [
      { dataset: { name: 'mnist', digest: 'ab'.repeat(32), sourceType: 'rows', source: 'in-memory rows', schema: null, profile: null, numRows: 60000 }, context: '</td><script>x</script>' },
      { dataset: { name: 'extra', digest: 'cd'.repeat(32), sourceType: 'file', source: 'x.csv', schema: null, profile: null, numRows: null }, context: null },
    ],
    provenance: [['tracklab.git.commit', '<b>abc</b>'], ['tracklab.dependencies', '2 packages']],
  });
  const html = card.data[Mime.html] as string;
  assert.ok(!html.includes('<img') && !html.includes('<script>') && !html.includes('<b>abc'));
  assert.match(html, /<div class="tl-run-note">try &lt;img src=x onerror=alert\(1\)&gt;\nnext: lower lr<\/div>/);
  assert.match(html, /<caption>datasets<\/caption>.*abababababab.*&lt;\/td&gt;&lt;script&gt;x&lt;\/script&gt;.*60000.*extra.*cdcdcdcdcdcd/);
  assert.match(html, /<details><summary>provenance \(2\)<\/summary>.*&lt;b&gt;abc&lt;\/b&gt;/);
  const text = card.data[Mime.plain] as string;
  assert.match(text, /^note: try <img src=x onerror=alert\(1\)> next: lower lr$/m);
  assert.match(text, /^mnist +abababababab +<\/td><script>x<\/script> +60000$/m);
  const [bare] = runCardBundles({ ...base, note: '  ', inputs: [], provenance: [] });
  assert.ok(!/tl-run-note"|<caption>datasets|provenance/.test(bare.data[Mime.html] as string));
});

test('run tags: the note apart, provenance grouped and ordered, dependencies counted', () => {
  const tags = {
    'tracklab.note': 'hello', 'tracklab.os': 'linux', 'tracklab.version.node': 'v20', 'tracklab.git.commit': 'abc', zeta: '1',
    'tracklab.lockfile.sha256': 'ff', 'tracklab.dependencies': JSON.stringify({ dependencies: { a: '1' }, devDependencies: { b: '2', c: '3' } }), alpha: '2',
  };
  assert.equal(noteOf(tags), 'hello');
  assert.equal(noteOf({ 'tracklab.note': ' \n' }), undefined);
  const { provenance, other } = groupTags(tags, { dependenciesHint: ' (see --json)' });
  assert.deepEqual(provenance.map(([k]) => k), ['tracklab.git.commit', 'tracklab.version.node', 'tracklab.os', 'tracklab.dependencies', 'tracklab.lockfile.sha256']);
  assert.equal(provenance[3][1], '3 packages (see --json)');
  assert.deepEqual(other, [['alpha', '2'], ['zeta', '1']]);
  assert.equal(dependenciesSummary(JSON.stringify({ dependencies: ['a', 'b'] })), '2 packages');
  assert.equal(dependenciesSummary(JSON.stringify({ dependencies: { a: '1' } })), '1 package');
  assert.equal(dependenciesSummary('{"dependencies":["a","b…'), 'packages (list cut)');
});

test('runBundle: final card plus one chart per metric', async () => {
  const bundles = await runBundle(runs[0], histories);
  assert.equal(bundles.length, 2);
  assertChartBundle(bundles[1]);
  const svg = bundles[1].data[Mime.svg] as string;
  assert.ok(svg.includes('>loss</text>') && svg.includes('>acc</text>'));
  assert.equal((await runBundle(runs[0], [])).length, 1);
});

test('numbers are formatted with significant digits; NaN and Inf as such', () => {
  assert.equal(formatNumber(0.0000123456), '1.235e-5');
  assert.equal(formatNumber(0.000123456), '0.0001235');
  assert.equal(formatNumber(0.0123456), '0.01235');
  assert.equal(formatNumber(1234.5678), '1235');
  assert.equal(formatNumber(42), '42');
  assert.equal(formatNumber(NaN), 'NaN');
  assert.equal(formatNumber(-Infinity), '-Inf');
  assert.equal(formatNumber(3e12), '3e+12');
  assert.equal(formatDuration(3_725_000), '1h 02m');
  const t = textTable({ columns: [{ title: 'run' }, { title: 'v' }], rows: [{ cells: ['a\nb', 1.5] }, { cells: ['long-name', 10] }] });
  assert.equal(t, 'run          v\n---------  ---\na⏎b        1.5\nlong-name   10');
});

test('differingParams: a missing param differs from every value, even a value that looks like a placeholder', () => {
  const a = makeRun('a', 'a', { lr: '0.1', odd: '\u0000missing', same: '1' }, {}).run;
  const b = makeRun('b', 'b', { lr: '0.2', same: '1' }, {}).run;
  assert.deepEqual(differingParams([a, b]).sort(), ['lr', 'odd']);
  assert.deepEqual(differingParams([a, a]), []);
});
