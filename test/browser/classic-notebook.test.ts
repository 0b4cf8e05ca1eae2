/**
 * compare() with no experiment, run live in the classic Notebook (Debian 12's
 * jupyter-notebook 6, the frontend this machine has) in Chromium at 1280 px:
 * it compares the current experiment only, draws the run just trained even
 * when it is not among the best, and puts its wide table in a box that
 * scrolls sideways instead of squeezing and clipping columns. Screenshots go
 * to test-output/.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { codeCells, ensureTslabKernel, makeNotebook, mimeText, type Notebook, notebookWorkspace } from '../support/jupyter';
import { TrackingClient } from '../../src/tracking/client';
import { launchChromium, outputDir } from './chromium';

/** Settings with long names and values: the comparison table is wider than the page. */
const WIDE_PARAMS = Array.from({ length: 12 }, (_, i) => `hyperparameter_${i}_with_a_long_name`);

const CELLS = [
  "import * as tracklab from 'tracklab';\ntracklab.configure({ experiment: 'wide' });\ntracklab.autolog({ liveCard: false });",
  // Runs of another experiment, which compare() must leave out.
  "for (let i = 0; i < 3; i++) {\n  const r = tracklab.startRun({ experiment: 'elsewhere', params: { other: i } });\n  r.log({ loss: 0.001 });\n  await r.end();\n}",
  // A sweep of 39 good runs in the current experiment: the table is longer than the page, too.
  [
    'for (let i = 0; i < 39; i++) {',
    `  const params = Object.fromEntries(${JSON.stringify(WIDE_PARAMS)}.map((k, j) => [k, \`value-\${(i + j) % 5}-of-a-setting\`]));`,
    '  const r = tracklab.startRun({ params });',
    '  for (let s = 0; s < 5; s++) r.log({ loss: (1 + i / 10) / (s + 1) }, s);',
    '  await r.end();',
    '}',
  ].join('\n'),
  // The run the user just trained, worse than all of them.
  `${WIDE_PARAMS.map((k) => `const ${k} = 'the-setting-just-tried';`).join('\n')}`,
  'for (let s = 0; s < 5; s++) tracklab.log({ loss: 50 - s }, s);',
  "await tracklab.compare({ metric: 'loss', mode: 'min' });",
];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts jupyter-notebook in `dir`; resolves once it says where it listens. */
async function startNotebookServer(dir: string): Promise<{ url: string; token: string; child: ChildProcess }> {
  const spec = ensureTslabKernel({ asInstalled: true });
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const command = fs.existsSync('/usr/bin/jupyter-notebook') ? '/usr/bin/jupyter-notebook' : 'jupyter-notebook';
  const child = spawn(command, [
    '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
    `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`,
  ], {
    cwd: dir,
    env: { ...process.env, PATH: `${spec.binDir}${path.delimiter}${process.env.PATH ?? ''}`, JUPYTER_PATH: spec.jupyterPath, JUPYTER_RUNTIME_DIR: path.join(dir, '.runtime'), TRACKLAB_HOME: path.join(dir, 'store') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (log.includes(`127.0.0.1:${port}/`)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`jupyter-notebook exited ${code}:\n${log}`)));
  });
  return { url: `http://127.0.0.1:${port}`, token, child };
}

interface WideTable {
  /** The box's top and bottom edges once its top row is scrolled to the top of the page. */
  readonly top: number;
  readonly bottom: number;
  readonly viewport: number;
  readonly wrapWidth: number;
  readonly scrollWidth: number;
  readonly overflowX: string;
  /** Header cells whose text does not fit their box (clipped or ellipsed). */
  readonly clipped: string[];
  readonly headers: number;
  /** After scrolling the box to its end, the last header is inside it. */
  readonly lastHeaderVisible: boolean;
  /** …and the first column (the run names) still is. */
  readonly runNamesVisible: boolean;
}

async function measureTable(page: Page): Promise<WideTable> {
  // Runs in the page (the project compiles without the DOM lib, hence a string).
  return (await page.evaluate(`(() => {
    const wraps = [...document.querySelectorAll('.tl-wrap')];
    const wrap = wraps[wraps.length - 1];
    const ths = [...wrap.querySelectorAll('th')];
    const clipped = ths.filter((th) => th.scrollWidth > th.clientWidth + 1).map((th) => th.textContent);
    wrap.scrollIntoView({ block: 'start' });
    const start = wrap.getBoundingClientRect();
    const before = { top: start.top, bottom: start.bottom, viewport: window.innerHeight, wrapWidth: wrap.clientWidth, scrollWidth: wrap.scrollWidth, overflowX: getComputedStyle(wrap).overflowX };
    wrap.scrollLeft = wrap.scrollWidth;
    const box = wrap.getBoundingClientRect();
    const last = ths[ths.length - 1].getBoundingClientRect();
    const name = wrap.querySelector('tbody td').getBoundingClientRect();
    const inside = (r) => r.right <= box.right + 1 && r.left >= box.left - 1;
    return { ...before, clipped, headers: ths.length, lastHeaderVisible: inside(last), runNamesVisible: inside(name) };
  })()`)) as WideTable;
}

describe('compare() live in the classic Notebook, in Chromium at 1280 px', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startNotebookServer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let table: WideTable;
  let reopened: WideTable;
  let saved: Notebook;
  const runNames = { latest: '' };

  before(async () => {
    dir = notebookWorkspace();
    fs.writeFileSync(path.join(dir, 'wide.ipynb'), JSON.stringify(makeNotebook(CELLS), null, 1));
    server = await startNotebookServer(dir);
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/notebooks/wide.ipynb?token=${server.token}`, { waitUntil: 'load' });
    await page.waitForFunction('window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()', undefined, { timeout: 120_000 });
    await page.evaluate('Jupyter.notebook.execute_all_cells()');
    // The comparison table is the last cell's first output.
    const last = `#notebook-container .cell:nth-child(${CELLS.length}) .output_area .tl-wrap caption`;
    await page.waitForSelector(last, { timeout: 300_000 });
    await page.waitForFunction('Jupyter.notebook.kernel_busy === false && Jupyter.notebook.get_cells().every((c) => c.input_prompt_number !== "*")', undefined, { timeout: 300_000 });
    await page.locator(last).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(outputDir(), 'classic-notebook-compare.png') });
    table = await measureTable(page);
    await page.screenshot({ path: path.join(outputDir(), 'classic-notebook-compare-scrolled.png') });
    await page.evaluate('Jupyter.notebook.save_notebook()');
    await page.waitForFunction('!Jupyter.notebook.dirty', undefined, { timeout: 60_000 });
    saved = JSON.parse(fs.readFileSync(path.join(dir, 'wide.ipynb'), 'utf8')) as Notebook;
    await page.close();
    const client = new TrackingClient({ home: path.join(dir, 'store') });
    runNames.latest = (await client.searchRuns({ experiments: 'wide', orderBy: ['attributes.start_time DESC'], maxResults: 1 })).runs[0]!.info.runName;
    await client.close();
    // Reopened later from a copy Jupyter never signed: untrusted, so its HTML outputs are sanitized.
    // (A changed byte makes its signature unknown to Jupyter.)
    fs.writeFileSync(path.join(dir, 'reopened.ipynb'), JSON.stringify({ ...saved, metadata: { ...saved.metadata, reopened: true } }));
    const again = await browser.context.newPage();
    await again.setViewportSize({ width: 1280, height: 900 });
    await again.goto(`${server.url}/notebooks/reopened.ipynb?token=${server.token}`, { waitUntil: 'load' });
    await again.waitForSelector(last, { timeout: 120_000 });
    assert.equal(await again.locator('#notification_trusted').textContent(), 'Not Trusted');
    await again.locator(last).scrollIntoViewIfNeeded();
    await again.screenshot({ path: path.join(outputDir(), 'classic-notebook-compare-reopened.png') });
    reopened = await measureTable(again);
    await again.close();
  });

  after(async () => {
    await browser?.close();
    if (server) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ran every cell without an error', () => {
    for (const cell of codeCells(saved)) {
      assert.deepEqual((cell.outputs ?? []).filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')), [], String(cell.source));
    }
  });

  it('compares the current experiment only: the 40 runs of "wide", none of "elsewhere"', () => {
    const [tableOutput] = (codeCells(saved)[CELLS.length - 1]!.outputs ?? []);
    const text = mimeText(tableOutput, 'text/plain') ?? '';
    assert.match(text, /^40 run\(s\)/);
    assert.doesNotMatch(text, /\bother\b/, 'no param of the other experiment');
  });

  it('draws the run just trained although 39 runs beat it', () => {
    const outputs = codeCells(saved)[CELLS.length - 1]!.outputs ?? [];
    const history = outputs.map((o) => mimeText(o, 'text/plain') ?? '').find((t) => t.startsWith('loss history'));
    assert.ok(history, outputs.map((o) => mimeText(o, 'text/plain')).join('\n'));
    const latest = /; 19 best of 40 runs by last loss, and the latest run (\S+)$/.exec(history)?.[1];
    assert.ok(latest, history);
    assert.equal(latest, runNames.latest, 'the run of the training cell');
    const chart = outputs.find((o) => JSON.stringify(o.data?.['application/vnd.vegalite.v5+json'] ?? {}).includes('loss by step'));
    const spec = chart?.data?.['application/vnd.vegalite.v5+json'] as { data: { values: string } } | undefined;
    assert.ok(spec && JSON.stringify(spec).includes(latest), 'the chart names it');
    // Inline CSV rows `r,g,s,v,e`: r is the series (run) index.
    const series = new Set(spec.data.values.trim().split('\n').slice(1).map((row) => row.split(',')[0]));
    assert.equal(series.size, 20, 'twenty lines: the 19 best and the latest');
  });

  it('scrolls a table wider and longer than the page in its own box, its scrollbar on screen, no column squeezed or clipped', () => {
    assert.ok(table.scrollWidth > table.wrapWidth + 100, `the table is wider than its box: ${JSON.stringify(table)}`);
    assert.equal(table.overflowX, 'auto');
    assert.ok(table.bottom <= table.viewport, `the box, and so its horizontal scrollbar, fits on the page: ${JSON.stringify(table)}`);
    assert.deepEqual(table.clipped, [], 'every header shows its whole text');
    assert.ok(table.headers >= 4 + WIDE_PARAMS.length, JSON.stringify(table));
    assert.equal(table.lastHeaderVisible, true, 'scrolling the box reaches the last column');
    assert.equal(table.runNamesVisible, true, 'the run names stay in view while it scrolls sideways');
  });

  it('reopened untrusted (Jupyter strips all its CSS), the output area still scrolls and no header is clipped', () => {
    // The Notebook's own output area scrolls sideways then; the box and sticky cells need a trusted notebook.
    assert.equal(reopened.overflowX, 'visible', 'no style of ours survives the sanitizer');
    assert.deepEqual(reopened.clipped, []);
  });
});
