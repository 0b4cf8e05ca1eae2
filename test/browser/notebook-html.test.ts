// Executes the example notebooks on the real tslab kernel, exports them to
// static HTML with nbconvert, and opens the HTML in headless Chromium: the
// charts must be there and visibly drawn, the run cards' sparklines too, and
// a hostile run name must stay text. Screenshots go to test-output/.
//
// Debian's nbconvert 6.5.3 passes inline `image/svg+xml` outputs through
// lxml's clean_html (lab/base.html.j2, block data_svg), which drops every
// SVG element and leaves only the text, so `--to html` alone exports blank
// charts. `--ExtractOutputPreprocessor.enabled=True` does not change that:
// the template switches to <img> only on `output.svg_filename`, which no
// nbconvert 6.5 code sets. The template below shows the SVG as an <img>: a
// file written by the extractor when there is one, else a data: URI (one
// self-contained file). An SVG in an <img> cannot run script.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { executeNotebook, notebookWorkspace, repoRoot, runJupyter } from '../support/jupyter';
import { launchChromium, outputDir, serveRoutes } from './chromium';

/** The repo's export template (notebooks/export/tracklab-html.j2), which README tells users to pass to nbconvert. */
const HTML_TEMPLATE = fs.readFileSync(path.join(repoRoot(), 'notebooks', 'export', 'tracklab-html.j2'), 'utf8');

const HOSTILE = '<img src=x onerror=alert(1)>';


/** Executes notebooks/<name>.ipynb in `dir` and exports it to `<name>.html` (plus `<name>_files/` when extracting). */
async function executeAndExport(dir: string, name: string, extract: boolean): Promise<void> {
  const input = path.join(dir, `${name}.ipynb`);
  fs.copyFileSync(path.join(repoRoot(), 'notebooks', `${name}.ipynb`), input);
  const executed = await executeNotebook(input, { cwd: dir, outputPath: path.join(dir, `${name}.out.ipynb`), env: { TRACKLAB_HOME: path.join(dir, `store-${name}`) } });
  assert.equal(executed.exitCode, 0, executed.log);
  await runJupyter([
    'nbconvert', '--to', 'html', '--template-file', path.join(dir, 'tracklab-html.j2'),
    ...(extract ? ['--ExtractOutputPreprocessor.enabled=True'] : []),
    '--output', name, `${name}.out.ipynb`,
  ], dir);
}

/** Routes for one exported page and the files nbconvert wrote beside it, nothing else. */
function routesFor(dir: string, name: string): [string, { body: Buffer; type: string }][] {
  const routes: [string, { body: Buffer; type: string }][] = [[`/${name}.html`, { body: fs.readFileSync(path.join(dir, `${name}.html`)), type: 'text/html; charset=utf-8' }]];
  const files = path.join(dir, `${name}_files`);
  if (fs.existsSync(files)) {
    for (const file of fs.readdirSync(files)) {
      const type = file.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';
      routes.push([`/${name}_files/${encodeURIComponent(file)}`, { body: fs.readFileSync(path.join(files, file)), type }]);
    }
  }
  return routes;
}

interface ChartImage {
  readonly src: string;
  readonly complete: boolean;
  readonly naturalWidth: number;
  readonly width: number;
  readonly height: number;
  /** Pixels of a saturated colour: drawn data marks, not the white ground, grey grid or black text. */
  readonly colouredPixels: number;
}

/**
 * The exported charts as Chromium shows them, each drawn onto a canvas to
 * count its coloured pixels: axes, grid and text are grey or black, so
 * coloured pixels are data marks (a scatter of three runs has about 90).
 */
async function chartImages(page: Page): Promise<ChartImage[]> {
  // Runs in the page (the project compiles without the DOM lib, hence a string).
  return (await page.evaluate(`[...document.querySelectorAll('.jp-RenderedSVG img')].map((img) => {
    const box = img.getBoundingClientRect();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    let coloured = 0;
    if (ctx && img.naturalWidth > 0) {
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < px.length; i += 4) {
        const max = Math.max(px[i], px[i + 1], px[i + 2]);
        const min = Math.min(px[i], px[i + 1], px[i + 2]);
        if (px[i + 3] > 0 && max - min > 60) coloured++;
      }
    }
    return { src: img.getAttribute('src') || '', complete: img.complete, naturalWidth: img.naturalWidth, width: box.width, height: box.height, colouredPixels: coloured };
  })`)) as ChartImage[];
}

/** The run cards' sparklines (inline SVG inside text/html outputs): size and drawn length. */
async function sparklines(page: Page): Promise<{ width: number; height: number; length: number }[]> {
  return (await page.evaluate(`[...document.querySelectorAll('.tl-card svg path')].map((p) => {
    const box = p.ownerSVGElement.getBoundingClientRect();
    return { width: box.width, height: box.height, length: p.getTotalLength() };
  })`)) as { width: number; height: number; length: number }[];
}

describe('example notebooks exported to HTML with nbconvert, in Chromium', () => {
  let dir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof serveRoutes>>;

  before(async () => {
    dir = notebookWorkspace();
    fs.writeFileSync(path.join(dir, 'tracklab-html.j2'), HTML_TEMPLATE);
    // quickstart as one self-contained file (data: URIs), compare with its SVGs extracted beside it.
    await Promise.all([executeAndExport(dir, 'quickstart', false), executeAndExport(dir, 'compare', true)]);
    server = await serveRoutes(new Map([...routesFor(dir, 'quickstart'), ...routesFor(dir, 'compare')]));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string): Promise<{ page: Page; dialogs: string[] }> {
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // A script that ran would call one of these; they only set a flag.
    await page.addInitScript("for (const k of ['alert', 'confirm', 'prompt']) window[k] = () => { window.__xss = k; };");
    // The lab template links require.js and MathJax from a CDN; nothing leaves the loopback server.
    await page.route((url) => url.origin !== server.url, (route) => route.abort());
    await page.goto(`${server.url}/${name}.html`, { waitUntil: 'load' });
    return { page, dialogs };
  }

  it('quickstart as one self-contained file: charts drawn from data: URIs, live cards with sparklines', async () => {
    const { page, dialogs } = await open('quickstart');
    await page.screenshot({ path: path.join(outputDir(), 'notebook-quickstart.png'), fullPage: true });
    const charts = await chartImages(page);
    assert.equal(charts.length, 3, 'histories, parallel coordinates, scatter');
    for (const chart of charts) {
      assert.ok(chart.src.startsWith('data:image/svg+xml'), chart.src.slice(0, 40));
      assert.ok(chart.complete && chart.naturalWidth > 0, 'the SVG loaded');
      assert.ok(chart.width > 300 && chart.height > 200, `${chart.width}×${chart.height}`);
      assert.ok(chart.colouredPixels > 40, `drawn marks: ${chart.colouredPixels} coloured pixels`);
    }
    assert.ok(charts[0].colouredPixels > 1000, `the history lines: ${charts[0].colouredPixels} coloured pixels`);
    const lines = await sparklines(page);
    assert.equal(lines.length, 9, 'three cards, a sparkline per metric');
    for (const s of lines) assert.ok(s.width > 50 && s.height > 10 && s.length > 50, JSON.stringify(s));
    assert.equal(await page.locator('.tl-table').first().isVisible(), true);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    await page.close();
  });

  it('compare with extracted SVG files: charts load and are drawn, the hostile run name stays text', async () => {
    const { page, dialogs } = await open('compare');
    await page.screenshot({ path: path.join(outputDir(), 'notebook-compare.png'), fullPage: true });
    const charts = await chartImages(page);
    assert.equal(charts.length, 4, 'three in the comparison, one in show()');
    for (const chart of charts) {
      assert.match(chart.src, /^compare_files\/.+\.svg$/);
      assert.ok(chart.complete && chart.naturalWidth > 0, `${chart.src} loaded`);
      assert.ok(chart.width > 300 && chart.height > 150, `${chart.src}: ${chart.width}×${chart.height}`);
      assert.ok(chart.colouredPixels > 40, `${chart.src}: ${chart.colouredPixels} coloured pixels`);
    }
    assert.ok(charts[0].colouredPixels > 1000, `the history lines: ${charts[0].colouredPixels} coloured pixels`);
    for (const chart of await page.locator('.jp-RenderedSVG img').all()) assert.equal(await chart.isVisible(), true);
    // Only the charts are images: the run name became no element.
    assert.equal(await page.locator('img').count(), charts.length);
    const names = await page.$$eval('.tl-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.equal(names.filter((n) => n === HOSTILE).length, 2, 'in the runs table and the comparison table, as text');
    const lines = await sparklines(page);
    assert.equal(lines.length, 3, "the best run's card: a sparkline per metric");
    for (const s of lines) assert.ok(s.width > 50 && s.height > 10 && s.length > 50, JSON.stringify(s));
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    await page.close();
  });
});
