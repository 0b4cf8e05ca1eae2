/**
 * Issue 12 figures: the UI's server time for the first page of a 100k-run
 * experiment, the runs table's page weight, and how long a run page with a
 * 1M-point metric takes to draw its chart in Chromium (downsampled on the
 * server). Each beside the raw client read it is built on.
 */
import * as http from 'node:http';
import { configure, startRun, TrackingClient } from '../src/index';
import { RegistryClient } from '../src/registry/registry-client';
import { startUiServer } from '../src/ui/start-ui-server';
import { launchChromium } from '../test/browser/chromium';
import { fmt, medianMs, tempDir, type Report } from './report';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a kept-alive socket can be closed by the server between samples.
    http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    }).on('error', reject);
  });
}

async function fill(home: string, count: number): Promise<void> {
  configure({ home, experiment: 'big' });
  for (let i = 0; i < count; i++) {
    const run = startRun({ params: { optimizer: ['adam', 'sgd', 'rmsprop'][i % 3], lr: [0.1, 0.01, 0.001][i % 7 % 3], layers: i % 5 }, tags: { team: i % 2 ? 'vision' : 'nlp' } });
    run.log({ acc: ((i * 7919) % 1000) / 1000, loss: ((i * 104729) % 1000) / 500 }, 0);
    await run.end();
  }
}

/** Runs in the page. A function, not a string: the page's CSP forbids eval, and Playwright evals strings. */
function drawn(): boolean {
  const doc = (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } | null } }).document;
  return doc.querySelector('.chart')?.dataset.state === 'drawn';
}

export async function uiBench(report: Report): Promise<void> {
  const home = tempDir('ui-100k');
  const t0 = Date.now();
  await fill(home, 100_000);
  console.log(`  (filled 100,000 runs in ${fmt((Date.now() - t0) / 1000)} s)`);
  const client = new TrackingClient({ home });
  const registry = new RegistryClient({ tracking: client });
  const exp = await client.getExperiment('big');
  const ui = await startUiServer({ client, registry });
  try {
    const pageUrl = `${ui.url}/experiments/${exp.experimentId}`;
    await get(pageUrl);
    const pageMs = await medianMs(9, () => get(pageUrl));
    const rawMs = await medianMs(9, () => client.searchRuns({ experiments: [exp.experimentId], maxResults: 50 }));
    const countMs = await medianMs(5, () => get(`${ui.url}/ui-api/count?experiment=${exp.experimentId}`));
    report.add({ name: 'UI: first page of a 100,000-run experiment (50 rows, columns; total counted by a second request), HTTP on loopback', value: pageMs, unit: 'ms', target: { op: '<=', value: 300 }, baseline: { name: 'client.searchRuns, first 50 runs', value: rawMs }, note: `the count request the page then makes: ${fmt(countMs)} ms` });
    const filter = "metrics.acc > 0.5 AND params.optimizer = 'adam'";
    const sorted = `${pageUrl}?order=${encodeURIComponent('metrics.acc DESC')}&filter=${encodeURIComponent(filter)}`;
    await get(sorted);
    const sortedMs = await medianMs(5, () => get(sorted));
    const rawSorted = await medianMs(5, () => client.searchRuns({ experiments: [exp.experimentId], maxResults: 50, filter, orderBy: ['metrics.acc DESC'] }));
    report.add({ name: `UI: 100,000 runs filtered by "${filter}", sorted by acc, first page`, value: sortedMs, unit: 'ms', baseline: { name: 'client.searchRuns, same query', value: rawSorted } });

    // Page weight: the HTML plus every asset the runs table loads (it loads no chart library).
    const html = (await get(pageUrl)).body;
    const assets = [...html.toString('utf8').matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
    // The browser modules main.js imports, and theirs.
    for (let i = 0; i < assets.length; i++) {
      if (!assets[i].startsWith('/static/ui/')) continue;
      const source = (await get(`${ui.url}${assets[i]}`)).body.toString('utf8');
      for (const m of source.matchAll(/from '\.\/([a-z-]+\.js)'/g)) if (!assets.includes(`/static/ui/${m[1]}`)) assets.push(`/static/ui/${m[1]}`);
    }
    let raw = html.length;
    let gz = 0;
    for (const a of new Set(assets)) {
      raw += (await get(`${ui.url}${a}`)).body.length;
      gz += (await get(`${ui.url}${a}`, { 'accept-encoding': 'gzip' })).body.length;
    }
    report.add({ name: 'UI: runs table page weight (HTML + CSS + JS, uncompressed), 50 rows', value: raw / 1024, unit: 'KB', target: { op: '<=', value: 300 }, note: `assets gzipped: ${fmt(gz / 1024)} KB; ${new Set(assets).size} assets: ${[...new Set(assets)].join(' ')}` });

    // 1M-point metrics: server spec time, then the run page drawing one in Chromium. Three runs, so each
    // page is drawn cold (its history read from the store for the first time), as after training.
    configure({ home, experiment: 'big' });
    const ids: string[] = [];
    for (let r = 0; r < 3; r++) {
      const run = startRun({ name: `million-${r}` });
      for (let i = 0; i < 1_000_000; i++) run.log({ loss: 1 / (1 + i / 1000) + 0.05 * Math.sin(i / 50 + r) }, i);
      await run.end();
      ids.push(run.id);
    }
    // The baseline: the same page with a 100-point metric, which costs what Vega costs in the browser.
    const small = startRun({ name: 'hundred' });
    for (let i = 0; i < 100; i++) small.log({ loss: 1 / (1 + i) }, i);
    await small.end();
    const rawRead = await medianMs(5, () => client.metricColumns(ids[0], ['loss']));
    const rawArrow = await medianMs(5, () => client.metricHistory(ids[0], ['loss']));
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${ui.url}/experiments/${exp.experimentId}`); // assets cached, as a returning user has them
      const cold: number[] = [];
      for (const id of ids) {
        const t = Date.now();
        await page.goto(`${ui.url}/runs/${id}`);
        await page.waitForFunction(drawn, undefined, { timeout: 60_000 });
        cold.push(Date.now() - t);
      }
      cold.sort((a, b) => a - b);
      const base: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = Date.now();
        await page.goto(`${ui.url}/runs/${small.id}?smooth=0.${i + 1}`);
        await page.waitForFunction(drawn, undefined, { timeout: 60_000 });
        base.push(Date.now() - t);
      }
      base.sort((a, b) => a - b);
      const warm: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = Date.now();
        await page.goto(`${ui.url}/runs/${ids[0]}?smooth=0.${i + 1}`);
        await page.waitForFunction(drawn, undefined, { timeout: 60_000 });
        warm.push(Date.now() - t);
      }
      warm.sort((a, b) => a - b);
      report.add({ name: 'UI: run page with a 1M-point metric, navigation to chart drawn in Chromium (history read cold)', value: cold[1], unit: 'ms', target: { op: '<=', value: 1000 }, baseline: { name: 'the same page with a 100-point metric (median of 5)', value: base[2] }, note: `cold samples ${cold.join(', ')} ms; again with a new smoothing (history cached, spec rebuilt): ${warm.join(', ')} ms; 100-point page ${base.join(', ')} ms; client.metricColumns of the 1M points ${fmt(rawRead)} ms, as an Arrow table ${fmt(rawArrow)} ms` });
      const specUrl = `${ui.url}/ui-api/runs/${ids[0]}/chart?key=loss`;
      const specMs = await medianMs(5, () => get(`${specUrl}&smooth=0.${Math.floor(Math.random() * 9) + 1}`));
      const spec = (await get(specUrl)).body;
      report.add({ name: 'UI: chart spec of a 1M-point metric (downsampled on the server, extremes kept), history cached', value: specMs, unit: 'ms', baseline: { name: 'client.metricColumns of the 1M points', value: rawRead }, note: `spec ${fmt(spec.length / 1024)} KB` });
    } finally {
      await browser.close();
    }
  } finally {
    await ui.close();
    registry.close();
    await client.close();
  }
}
