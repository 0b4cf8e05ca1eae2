import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChartSpec } from './line-chart';
import { smallMultiplesSpec } from './small-multiples';
import { sparklineSpec } from './sparkline';
import { sparklineSvg } from './sparkline-svg';
import { parallelCoordinatesSpec, type RunPoint } from './parallel-coordinates';
import { scatterSpec } from './scatter';
import { barByVersionSpec } from './bar-by-version';
import { renderSvg } from './render-svg';
import { isTracklabError } from '../errors';
import type { NamedSeries, VegaLiteSpec } from './series';

const XSS = '<img src=x onerror=alert(1)>';

/** Compiles with vega-lite directly, recording every warning. */
async function vegaLiteWarnings(spec: VegaLiteSpec): Promise<string[]> {
  const vl = await import('vega-lite');
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...a: unknown[]) => (warnings.push(a.map(String).join(' ')), logger),
    error: (...a: unknown[]) => (warnings.push(`error ${a.map(String).join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  vl.compile(spec as never, { logger: logger as never });
  return warnings;
}

async function checked(spec: VegaLiteSpec): Promise<string> {
  assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  assert.deepEqual(await vegaLiteWarnings(spec), []);
  const text = JSON.stringify(spec);
  assert.ok(!/"url"\s*:/.test(text), 'inline data only');
  assert.ok(!/"(expr|signal|calculate|filter|labelExpr|embed_options|usermeta)"\s*:/.test(text), 'no expressions in specs');
  // User strings are data values only: every field name is one of ours.
  for (const field of fieldNames(spec)) assert.ok(FIELDS.has(field), `unexpected field name ${field}`);
  return renderSvg(spec);
}

const FIELDS = new Set(['r', 'g', 's', 'v', 'e', 'run', 'metric', 'd', 'dim', 'y', 'm', 'label', 'x', 'best', 'version', 'value', 'alias', 'aliased']);

function fieldNames(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => fieldNames(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'field' || k === 'lookup' || k === 'key') && typeof v === 'string') out.push(v);
      if (k === 'fields' && Array.isArray(v)) out.push(...v.filter((f): f is string => typeof f === 'string'));
      if (k !== 'values') fieldNames(v, out);
    }
  }
  return out;
}

function series(runId: string, runName: string, key: string, n: number, f: (i: number) => number): NamedSeries {
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) (steps[i] = i), (values[i] = f(i));
  return { runId, runName, key, steps, values };
}

const runs: NamedSeries[] = [
  series('r1', 'brave-otter-001', 'loss', 3000, (i) => Math.exp(-i / 500) + 0.02 * Math.sin(i)),
  series('r2', XSS, 'loss', 3000, (i) => (i === 1500 ? NaN : Math.exp(-i / 900))),
  series('r3', 'calm-heron-003', 'loss', 2000, (i) => 0.8 * Math.exp(-i / 300) + 0.05),
];

test('line chart: one path per run with a legend by run name and titled axes', async () => {
  const svg = await checked(lineChartSpec('loss', runs));
  const paths = svg.match(/aria-roledescription="line mark" d="M[^"]+"/g) ?? [];
  // r2 has a NaN gap, so it draws as two segments.
  assert.equal(paths.length, 4);
  for (const name of ['brave-otter-001', 'calm-heron-003']) assert.ok(svg.includes(`>${name}</text>`), name);
  // Node has no font metrics, so vega estimates widths and may ellipsize a long label.
  assert.ok(svg.includes('>&lt;img src=x onerror=alert(1'));
  assert.ok(!svg.includes('<img'), 'run names are escaped in SVG');
  assert.ok(svg.includes('>step</text>') && svg.includes('>loss</text>'));
});

test('line chart with EMA draws raw and smoothed lines; log scale renders', async () => {
  const svg = await checked(lineChartSpec('loss', runs.slice(1), { smoothing: 0.9, logScale: true, title: 'Loss (smoothed)' }));
  // Two layers; the NaN in the second run splits it in both.
  assert.equal((svg.match(/aria-roledescription="line mark" d="M/g) ?? []).length, 6);
  assert.ok(svg.includes('EMA smoothing 0.9'));
  assert.ok(svg.includes('>loss (log)</text>'));
});

test('line chart keys with dots and brackets stay data, and run count is capped with a note', async () => {
  const key = 'val.acc[0]';
  const many = Array.from({ length: 30 }, (_, r) => series(`id${r}`, `run-${r}`, key, 50, (i) => r + i / 50));
  const spec = lineChartSpec(key, many, { maxRuns: 12 });
  const svg = await checked(spec);
  assert.ok(svg.includes('showing 12 of 30 runs'));
  assert.ok(svg.includes('>val.acc[0]</text>'));
  assert.ok(svg.includes('>run-11</text>') && !svg.includes('>run-12</text>'));
});

test('small multiples: one panel per metric, each titled by its key', async () => {
  const svg = await checked(
    smallMultiplesSpec('brave-otter-001', [
      series('r1', 'x', 'loss', 500, (i) => 1 / (i + 1)),
      series('r1', 'x', 'acc', 500, (i) => 1 - 1 / (i + 1)),
      series('r1', 'x', 'a.b[c]', 10, (i) => i),
    ]),
  );
  assert.equal((svg.match(/aria-roledescription="line mark" d="M/g) ?? []).length, 3);
  for (const key of ['loss', 'acc', 'a.b[c]']) assert.ok(svg.includes(`>${key}</text>`), key);
});

test('small multiples: a metric logged once is a visible dot in its own panel, and only there', async () => {
  const spec = smallMultiplesSpec('r', [
    { runId: 'a', key: 'loss', steps: [0, 1, 2], values: [3, 2, 1] },
    { runId: 'a', key: 'test_acc', steps: [0], values: [0.9] },
  ]);
  const svg = await checked(spec);
  const dots = [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]);
  assert.equal(dots.length, 1);
  assert.match(dots[0], /^step: 0; v: 0\.9; .*metric: test_acc/);
  const dot = svg.slice(svg.indexOf('aria-roledescription="point"'), svg.indexOf('aria-roledescription="point"') + 300);
  assert.match(dot, /d="M[\d.-]+,[\d.-]+/, 'the dot has a shape');
  assert.match(dot, /fill="#4c78a8"/, 'the dot is filled in the line colour');
  assert.equal((svg.match(/aria-roledescription="line mark" d="M[\d.]+,[\d.]+L/g) ?? []).length, 1, 'loss stays a line, without dots');
  assert.doesNotMatch(svg, />-?\d+\.\d{6}<\/text>/, 'a one-point panel labels its ticks without six decimals');
  const long = await checked(smallMultiplesSpec('r', [series('a', 'x', 'loss', 100_000, (i) => 2_000_000 - i)]));
  assert.doesNotMatch(long, /e\+\d<\/text>/, 'a long run keeps plain tick labels (20,000, not 2e+4)');
  assert.match(long, />20,000<\/text>/);
});

test('line chart: one point is labelled without six decimals, and a short run\'s step axis has whole ticks only', async () => {
  const one = await checked(lineChartSpec('acc', [{ runId: 'a', runName: 'a', key: 'acc', steps: [3], values: [0.9] }]));
  assert.doesNotMatch(one, />-?\d+\.\d{6}<\/text>/, 'a zero-width domain labels its ticks without six decimals');
  assert.match(one, />0\.9<\/text>/);
  const far = await checked(lineChartSpec('acc', [{ runId: 'a', runName: 'a', key: 'acc', steps: [1_234_567], values: [0.9] }]));
  assert.match(far, />1234567<\/text>/, 'a lone point at a large step keeps all its digits');
  // Whole-number values, so that any fractional tick label is on the step axis.
  const short = await checked(lineChartSpec('loss', [{ runId: 'a', runName: 'a', key: 'loss', steps: [0, 1, 2], values: [300, 200, 100] }]));
  const labels = [...short.matchAll(/>(-?[\d.,]+)<\/text>/g)].map((m) => m[1]);
  assert.ok(labels.includes('2'), `the last step is a tick: ${labels.join(' ')}`);
  assert.deepEqual(labels.filter((l) => l.includes('.')), [], 'no tick between two steps');
});

test('sparkline spec and SVG draw a line; the SVG carries only numbers', async () => {
  const s = runs[1];
  const svg = await checked(sparklineSpec(s.steps, s.values));
  assert.match(svg, /aria-roledescription="line mark" d="M[\d.,LM-]+/);
  const tiny = sparklineSvg(s.steps, s.values, { width: 100, height: 20 });
  assert.match(tiny, /^<svg [^>]*width="100" height="20"[^>]*><path d="M[\d.]+,[\d.]+L/);
  assert.equal((tiny.match(/M/g) ?? []).length, 2, 'NaN breaks the line');
  assert.ok(!/[a-z]="[^"]*[<>]/.test(tiny));
  assert.equal(sparklineSvg([], []), '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="24" viewBox="0 0 120 24" role="img"></svg>');
});

const points: RunPoint[] = [
  { runId: 'a', runName: 'brave-otter-001', params: { lr: '0.001', optimizer: 'adam', 'a"b<c': 'x' }, value: 0.31 },
  { runId: 'b', runName: XSS, params: { lr: '0.01', optimizer: 'sgd', 'a"b<c': 'y' }, value: 0.22 },
  { runId: 'c', runName: 'calm-heron-003', params: { lr: '0.1', optimizer: 'adam', 'a"b<c': 'x' }, value: 0.45 },
  { runId: 'd', runName: 'no-metric', params: { lr: '0.5', optimizer: 'adam', 'a"b<c': 'x' }, value: NaN },
];

test('parallel coordinates: numeric and categorical axes, one line per run, metric colour legend', async () => {
  const spec = parallelCoordinatesSpec('val_loss', ['lr', 'optimizer', 'a"b<c'], points);
  const svg = await checked(spec);
  assert.equal((svg.match(/aria-roledescription="line mark" d="M/g) ?? []).length, 3);
  for (const label of ['>lr</text>', '>optimizer</text>', '>a"b&lt;c</text>', '>val_loss</text>', '>adam</text>', '>sgd</text>', '>0.001</text>']) {
    assert.ok(svg.includes(label), label);
  }
  assert.ok(svg.includes('1 run(s) without val_loss not drawn'));
  const data = JSON.stringify(spec);
  assert.ok(data.includes(JSON.stringify(XSS)), 'run name travels as a plain data value');
});

test('scatter: a point per run, log x for a wide numeric param, best run marked', async () => {
  const svg = await checked(scatterSpec('lr', 'val_loss', points, { bestRunIds: ['b'] }));
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 3);
  assert.ok(svg.includes('>lr</text>') && svg.includes('>val_loss</text>'));
  assert.ok(svg.includes('fill="#e45756"'), 'best run highlighted');
  const tied = await checked(scatterSpec('lr', 'val_loss', points, { bestRunIds: ['a', 'b'] }));
  assert.equal((tied.match(/fill="#e45756"/g) ?? []).length, 2, 'every run tied for best');
  const cat = await checked(scatterSpec('a"b<c', 'val_loss', points));
  assert.ok(cat.includes('>a"b&lt;c</text>'));
});

test('bar by version: bars in version order with alias labels', async () => {
  const svg = await checked(
    barByVersionSpec('churn<model>', 'val_auc', [
      { version: 3, value: 0.84, aliases: ['champion', XSS] },
      { version: 1, value: 0.8, aliases: [] },
      { version: 2, value: null, aliases: ['old'] },
    ]),
  );
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 2);
  assert.ok(svg.includes('>@champion @&lt;img src=x onerror=alert(1)&gt;</text>'));
  assert.ok(svg.includes('churn&lt;model&gt;: val_auc by version'));
  assert.ok(svg.indexOf('>v1</text>') < svg.indexOf('>v2</text>') && svg.indexOf('>v2</text>') < svg.indexOf('>v3</text>'));
});

test('renderSvg fails on vega-lite warnings and refuses to load data', async () => {
  const warns = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nope' } } };
  await assert.rejects(renderSvg(warns), (e) => isTracklabError(e, 'INTERNAL_ERROR') && /warned/.test((e as Error).message));
  const remote = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { url: 'file:///etc/passwd' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
  await assert.rejects(renderSvg(remote));
});

test('chunks of one series are joined and duplicate run names get an id suffix', async () => {
  const a = series('r1', 'twin', 'loss', 100, (i) => 1 / (i + 1));
  const tail = { ...series('r1', 'twin', 'loss', 100, (i) => 0.5 / (i + 1)), steps: Float64Array.from({ length: 100 }, (_, i) => 100 + i) };
  const b = series('r2abcdefgh', 'twin', 'loss', 100, (i) => 2 / (i + 1));
  const svg = await checked(lineChartSpec('loss', [a, tail, b]));
  assert.equal((svg.match(/aria-roledescription="line mark" d="M/g) ?? []).length, 2);
  assert.ok(svg.includes('>twin (r1)</text>') && svg.includes('>twin (r2abcdef)</text>'));
  assert.ok(svg.includes('>200</text>'), 'x axis reaches the second chunk');
});

test('line chart: a run with one point (or a point between gaps) is drawn as a dot; longer lines get no dots', async () => {
  const once = series('r9', 'logged-once', 'loss', 1, () => 0.4);
  const gappy = series('r8', 'gappy', 'loss', 5, (i) => [1, NaN, 0.7, NaN, 0.6][i]);
  const spec = lineChartSpec('loss', [runs[0], once, gappy]);
  const layers = spec.layer as { mark: { type: string }; data?: { values: string } }[];
  assert.deepEqual(layers.map((l) => l.mark.type), ['line', 'point']);
  // Only the lone points travel in the dots' data: r9's one point and gappy's three, each between gaps.
  assert.deepEqual(layers[1].data?.values.split('\n'), ['r,g,s,v,e', '1,1,0,0.4,0.4', '2,2,0,1,1', '2,3,2,0.7,0.7', '2,4,4,0.6,0.6']);
  const svg = await checked(spec);
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 4);
  assert.ok(svg.includes('>logged-once</text>'), 'the run is in the legend');
  // The dots take the run's colour from the shared scale, and the smoothed chart draws them on its smoothed field.
  const smoothed = lineChartSpec('loss', [once], { smoothing: 0.5 });
  assert.equal(((smoothed.layer as { encoding: { y: { field: string } } }[])[2]).encoding.y.field, 'e');
  await checked(smoothed);
  assert.equal((lineChartSpec('loss', runs).layer as unknown[]).length, 1, 'no dots when every segment is a line');
});

test('parallel coordinates: a run without a param is not drawn across that axis, and the subtitle says so', async () => {
  const sparse: RunPoint[] = [
    { runId: 'a', runName: 'all-params', params: { lr: '0.001', optimizer: 'adam', batch: '32' }, value: 0.3 },
    { runId: 'b', runName: 'no-optimizer', params: { lr: '0.01', batch: '64' }, value: 0.2 },
    { runId: 'c', runName: 'no-lr', params: { optimizer: 'sgd', batch: '32' }, value: 0.4 },
  ];
  const spec = parallelCoordinatesSpec('val_loss', ['lr', 'optimizer', 'batch'], sparse);
  const layers = spec.layer as { mark: { type: string }; data: { values: { r: number; g: number; d: number }[] }; encoding: { detail?: { field: string } } }[];
  const [lines, dots] = [layers[1], layers[2]];
  assert.equal(lines.encoding.detail?.field, 'g', 'one path per unbroken stretch, not per run');
  // Axis indices (lr 0, optimizer 1, batch 2, val_loss 3) of each stretch, by run.
  const stretches = (values: { r: number; g: number; d: number }[]) => {
    const byG = new Map<number, { r: number; d: number[] }>();
    for (const v of values) byG.set(v.g, { r: v.r, d: [...(byG.get(v.g)?.d ?? []), v.d] });
    return [...byG.values()];
  };
  assert.deepEqual(stretches(lines.data.values), [{ r: 0, d: [0, 1, 2, 3] }, { r: 1, d: [2, 3] }, { r: 2, d: [1, 2, 3] }]);
  assert.equal(dots.mark.type, 'point');
  assert.deepEqual(stretches(dots.data.values), [{ r: 1, d: [0] }], 'no-optimizer\'s lr, cut off from the rest, is a ring');
  assert.ok(!lines.data.values.some((v) => v.r === 1 && v.d === 1) && !lines.data.values.some((v) => v.r === 2 && v.d === 0), 'no vertex where a value is missing');
  const svg = await checked(spec);
  assert.equal((svg.match(/aria-roledescription="line mark" d="M[^"]*L/g) ?? []).length, 3);
  assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 1);
  assert.ok(svg.includes('lines break at an axis the run has no value for: lr (1 run), optimizer (1 run)'));
  assert.ok(svg.includes('<linearGradient'), 'the metric legend stays a gradient with the dots');
  const complete = parallelCoordinatesSpec('val_loss', ['lr', 'optimizer'], points.slice(0, 3));
  assert.equal((complete.layer as unknown[]).length, 3, 'no dot layer when no run misses a param');
  assert.deepEqual(complete.title, { text: 'params → val_loss' });
});
