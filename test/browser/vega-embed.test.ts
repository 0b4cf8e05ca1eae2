// Renders tracklab chart specs with vega-embed in headless Chromium (the way
// JupyterLab and VS Code show them) and the server-rendered SVG fallbacks and
// HTML tables (the way nbconvert/nbviewer show them), and saves screenshots
// to test-output/ for a human look.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { lineChartSpec } from '../../src/charts/line-chart';
import { parallelCoordinatesSpec, type RunPoint } from '../../src/charts/parallel-coordinates';
import { scatterSpec } from '../../src/charts/scatter';
import { barByVersionSpec } from '../../src/charts/bar-by-version';
import { smallMultiplesSpec } from '../../src/charts/small-multiples';
import { curveSpec } from '../../src/charts/curve-chart';
import { renderSvg } from '../../src/charts/render-svg';
import type { NamedSeries } from '../../src/charts/series';
import { runCardBundles } from '../../src/views/run-card';
import { runsTableBundle } from '../../src/views/runs-table';
import { Mime } from '../../src/views/bundle';
import type { Run } from '../../src/entities';
import { launchChromium, outputDir, serveRoutes } from './chromium';

const XSS = '<img src=x onerror=alert(1)>';
const names = ['brave-otter-001', 'calm-heron-002', XSS, 'swift-lynx-004'];

function history(r: number): NamedSeries & { steps: Float64Array; values: Float64Array } {
  const n = 2000;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    values[i] = 0.1 * r + 2 * Math.exp(-i / (250 + 150 * r)) + 0.08 * Math.sin(i / 9 + r) * Math.exp(-i / 1500);
  }
  return { runId: `run${r}`, runName: names[r], key: 'val_loss', steps, values };
}

const paramsOf = (r: number): Record<string, string> => ({ lr: String(10 ** -(r + 1)), optimizer: r % 2 ? 'sgd' : 'adam', batch: String(32 * (r + 1)) });

const points: RunPoint[] = names.map((runName, r) => ({
  runId: `run${r}`,
  runName,
  params: paramsOf(r),
  value: 0.1 * r + 0.05 + (r === 2 ? -0.22 : 0),
}));

const specs = {
  line: lineChartSpec('val_loss', names.map((_, r) => history(r)), { smoothing: 0.6, title: 'val_loss by step' }),
  parallel: parallelCoordinatesSpec('val_loss', ['lr', 'optimizer', 'batch'], points),
  scatter: scatterSpec('lr', 'val_loss', points, { bestRunIds: ['run2'] }),
  bars: barByVersionSpec('churn-model', 'val_auc', [
    { version: 1, value: 0.78, aliases: [] },
    { version: 2, value: 0.81, aliases: ['challenger'] },
    { version: 3, value: 0.84, aliases: ['champion'] },
  ]),
  // 1 positive in 4 rows: a classifier that guesses has precision 0.25 at every recall.
  pr: curveSpec('pr', [{ name: 'positive class 1 (AP 0.800)', x: [1, 1, 0.5, 0], y: [0.25, 0.5, 1, 1], baseline: 0.25 }]),
  multiples: smallMultiplesSpec('brave-otter-001', [history(0), { ...history(1), key: 'lr.schedule[0]', values: history(1).values.map((v, i) => 0.1 / (1 + i / 200)) }, { ...history(2), key: 'acc' , values: history(2).values.map((v) => 1 - v / 3) }]),
};

let browser: Awaited<ReturnType<typeof launchChromium>>;
let server: Awaited<ReturnType<typeof serveRoutes>>;

before(async () => {
  // The UMD builds sit beside each package's ESM entry point.
  const js = (pkg: string, file: string) => ({ body: fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file)), type: 'text/javascript' });
  const svgs = await Promise.all(Object.values(specs).map((s) => renderSvg(s)));
  const runs: Run[] = points.map((p, r): Run => ({
    info: { runId: p.runId, runName: p.runName, experimentId: '0', parentRunId: null, status: (['FINISHED', 'KILLED', 'CRASHED', 'FAILED'] as const)[r], statusMessage: null, startTime: 1_700_000_000_000 + r * 60_000, endTime: 1_700_000_050_000 + r * 60_000, user: null, lifecycleStage: 'active' },
    data: { params: paramsOf(r), tags: {}, metrics: { val_loss: { key: 'val_loss', last: p.value, lastStep: 1999, lastTimestamp: 0, min: p.value - 0.01, max: 2.1, count: 2000 } } },
  }));
  const table = runsTableBundle(runs, { metric: 'val_loss', mode: 'min' }).data[Mime.html] as string;
  const h = history(0);
  const card = runCardBundles({
    runName: XSS, runId: 'run0', status: 'RUNNING', params: { lr: 0.001, optimizer: 'adam' },
    latest: { val_loss: { value: h.values[1999], step: 1999 }, acc: { value: 0.91, step: 1999 } },
    series: [{ key: 'val_loss', steps: h.steps, values: h.values }, { key: 'acc', steps: h.steps, values: h.values.map((v) => 1 - v / 3) }],
    cells: [{ executionCount: 4, source: 'for (let i = 0; i < 2000; i++) {\n  log({ val_loss: step(i) });\n}', durationMs: 5400, status: 'ok' }],
    startTime: 0, now: 95_000,
  })[0].data[Mime.html] as string;
  const page = (body: string) => ({ body: `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;margin:16px">${body}</body></html>`, type: 'text/html' });
  server = await serveRoutes(
    new Map<string, { body: string | Buffer; type: string }>([
      ['/vega.min.js', js('vega', 'vega.min.js')],
      ['/vega-lite.min.js', js('vega-lite', 'vega-lite.min.js')],
      ['/vega-embed.min.js', js('vega-embed', 'vega-embed.min.js')],
      ['/embed.html', page(
        '<script src="/vega.min.js"></script><script src="/vega-lite.min.js"></script><script src="/vega-embed.min.js"></script>' +
        Object.keys(specs).map((k) => `<div id="${k}"></div>`).join('') +
        `<script>window.specs=${JSON.stringify(specs).replace(/</g, '\\u003c')};window.embedded=Promise.all(Object.keys(window.specs).map((k)=>vegaEmbed('#'+k,window.specs[k],{renderer:'svg',actions:false}))).then(()=>'ok',(e)=>'error: '+e);</script>`,
      )],
      ['/static.html', page(`${svgs.map((s) => `<div class="chart">${s}</div>`).join('')}${table}${card}`)],
    ]),
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(url: string): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser.context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { page, dialogs };
}

test('vega-embed draws every chart spec as SVG marks in Chromium', async () => {
  const { page, dialogs } = await open(`${server.url}/embed.html`);
  assert.equal(await page.evaluate('window.embedded'), 'ok');
  const lineMarks = await page.$$eval('#line svg path[aria-roledescription="line mark"]', (els) => els.map((e) => e.getAttribute('d') ?? ''));
  assert.equal(lineMarks.length, 8, 'raw + smoothed line per run');
  assert.ok(lineMarks.every((d) => d.length > 100));
  const legend = await page.$$eval('#line svg .role-legend-label text', (els) => els.map((e) => e.textContent));
  assert.deepEqual(legend, names);
  const texts = await page.$$eval('#line svg text', (els) => els.map((e) => e.textContent));
  assert.ok(texts.includes('step') && texts.includes('val_loss'));
  assert.equal(await page.$$eval('#parallel svg path[aria-roledescription="line mark"]', (els) => els.length), 4);
  assert.equal(await page.$$eval('#scatter svg path[aria-roledescription="point"]', (els) => els.length), 4);
  assert.equal(await page.$$eval('#bars svg path[aria-roledescription="bar"]', (els) => els.length), 3);
  assert.equal(await page.$$eval('#multiples svg path[aria-roledescription="line mark"]', (els) => els.length), 3);
  assert.equal(await page.$$eval('img', (els) => els.length), 0, 'no run name became an element');
  assert.deepEqual(dialogs, []);
  await page.screenshot({ path: path.join(outputDir(), 'vega-embed.png'), fullPage: true });
  await page.close();
});

test('the PR curve\'s no-skill line is drawn level at precision 0.25 (the share of positives), with no diagonal', async () => {
  const { page } = await open(`${server.url}/embed.html`);
  assert.equal(await page.evaluate('window.embedded'), 'ok');
  assert.equal(await page.$$eval('#pr svg path[aria-roledescription="line mark"]', (els) => els.length), 1, 'the curve, and no diagonal');
  const rule = await page.$eval('#pr svg line[aria-roledescription="rule mark"]', (el) => {
    const box = el.getBoundingClientRect();
    return { top: box.top, height: box.height, width: box.width, dash: el.getAttribute('stroke-dasharray') };
  });
  assert.ok(rule.height < 1 && rule.width > 300, `level and across the plot: ${JSON.stringify(rule)}`);
  assert.equal(rule.dash, '4,4');
  // Where precision 0.25 is: halfway between the y axis labels 0.2 and 0.3.
  const labelY = await page.$$eval('#pr svg .role-axis-label text', (els) => Object.fromEntries(els.map((e) => { const b = e.getBoundingClientRect(); return [e.textContent, b.top + b.height / 2]; })));
  const expected = (labelY['0.2'] + labelY['0.3']) / 2;
  assert.ok(Math.abs(rule.top - expected) < 1.5, `rule at ${rule.top}px, precision 0.25 at ${expected}px`);
  await page.locator('#pr').screenshot({ path: path.join(outputDir(), 'vega-embed-pr.png') });
  await page.close();
});

test('a curve\'s tooltip names its values as the axes do, not by field ("series", "x", "y")', async () => {
  const { page } = await open(`${server.url}/embed.html`);
  assert.equal(await page.evaluate('window.embedded'), 'ok');
  // What the tooltip shows for a mark: the tooltip object Vega computed for its scene item (vega-tooltip renders its keys).
  const tooltipOf = (selector: string) => page.$eval(selector, (el) => Object.keys((el as unknown as { __data__: { tooltip: object } }).__data__.tooltip));
  assert.deepEqual(await tooltipOf('#pr svg path[aria-roledescription="line mark"]'), ['curve', 'Recall', 'Precision']);
  assert.deepEqual(await tooltipOf('#pr svg line[aria-roledescription="rule mark"]'), ['curve', 'no-skill precision']);
  await page.close();
});

test('server-rendered SVGs, the runs table and the run card display as static HTML', async () => {
  const { page, dialogs } = await open(`${server.url}/static.html`);
  const boxes = await page.$$eval('.chart > svg', (els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
  assert.equal(boxes.length, Object.keys(specs).length);
  for (const [w, h] of boxes) assert.ok(w > 150 && h > 100, `${w}×${h}`);
  assert.ok((await page.textContent('.tl-table tr.tl-best'))?.includes(XSS), 'best row names the run as text');
  assert.ok((await page.textContent('.tl-card-head'))?.includes(XSS));
  assert.equal(await page.$$eval('img', (els) => els.length), 0);
  assert.equal(await page.$$eval('.tl-card svg path', (els) => els.length), 2, 'one sparkline per metric');
  assert.deepEqual(dialogs, []);
  await page.screenshot({ path: path.join(outputDir(), 'static-svg.png'), fullPage: true });
  // A dark notebook theme sets the text colour on the output area; the table
  // and card inherit it and must stay legible.
  const light = await page.evaluate(`(${TEXT_CONTRAST})('.tl-wrap, .tl-card')`) as ContrastRow[];
  assert.deepEqual(light.filter((r) => r.ratio < 4.5), [], 'legible on the light page');
  assert.deepEqual([...new Set(light.filter((r) => /^[A-Z]+$/.test(r.text)).map((r) => r.text))].sort(), ['CRASHED', 'FAILED', 'FINISHED', 'KILLED', 'RUNNING'], 'every status badge was measured');
  await page.evaluate("document.body.style.background = '#1e1e1e'; document.body.style.color = '#e0e0e0'");
  const report = await page.evaluate(`(${TEXT_CONTRAST})('.tl-wrap, .tl-card')`) as ContrastRow[];
  assert.ok(report.length > 20, `measured ${report.length} text elements`);
  const illegible = report.filter((r) => r.ratio < 4.5);
  assert.deepEqual(illegible, [], 'every text of the table and card has WCAG AA contrast (4.5:1) against what is behind it');
  // JupyterLab's dark theme names its colours: the sticky header and run column take them and stay dark.
  await page.evaluate("document.body.style.setProperty('--jp-layout-color1', '#111111'); document.body.style.setProperty('--jp-content-font-color1', '#ffffff')");
  const lab = await page.evaluate(`(${TEXT_CONTRAST})('.tl-wrap, .tl-card')`) as ContrastRow[];
  assert.deepEqual(lab.filter((r) => r.ratio < 4.5), [], 'legible in JupyterLab dark');
  assert.deepEqual(lab.filter((r) => r.text === 'run' || r.text === 'brave-otter-001').map((r) => r.background), ['rgb(17, 17, 17)', 'rgb(17, 17, 17)'], 'sticky cells take the theme\'s page colour');
  await page.evaluate("document.body.style.removeProperty('--jp-layout-color1'); document.body.style.removeProperty('--jp-content-font-color1')");
  const top = Number(await page.evaluate("document.querySelector('.tl-wrap').getBoundingClientRect().top + window.scrollY"));
  const height = Number(await page.evaluate('document.body.scrollHeight'));
  await page.screenshot({ path: path.join(outputDir(), 'static-dark.png'), fullPage: true, clip: { x: 0, y: top - 8, width: 1100, height: height - top + 8 } });
  await page.close();
});

interface ContrastRow { text: string; ratio: number; color: string; background: string }

/**
 * Page-side source: the WCAG contrast ratio of every element under the given
 * selector that holds text of its own, between its computed text colour and
 * the colour actually behind it (its own and its ancestors' backgrounds,
 * alpha-composited over the white canvas), lowest first. Sent as source, as
 * this package compiles without the DOM library.
 */
const TEXT_CONTRAST = `(roots) => {
  const parse = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[\\s,/]+/).filter((p) => p !== '').map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const luminance = (c) => {
    const ch = c.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const rows = [];
  const seen = new Set();
  for (const root of document.querySelectorAll(roots)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (seen.has(el) || !(el instanceof HTMLElement)) continue;
      seen.add(el);
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
      const box = el.getBoundingClientRect();
      if (own === '' || box.width === 0 || box.height === 0) continue;
      const chain = [];
      for (let at = el; at !== null; at = at.parentElement) chain.unshift(at);
      let background = [255, 255, 255, 1];
      for (const at of chain) background = over(parse(getComputedStyle(at).backgroundColor), background);
      const color = over(parse(getComputedStyle(el).color), background);
      const [hi, lo] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      rows.push({
        text: own.slice(0, 40), ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
        color: getComputedStyle(el).color, background: 'rgb(' + background.slice(0, 3).map(Math.round).join(', ') + ')',
      });
    }
  }
  return rows.sort((a, b) => a.ratio - b.ratio);
}`;
