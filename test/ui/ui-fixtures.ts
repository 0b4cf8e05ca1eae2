/**
 * A store filled with real runs for the UI tests: histories, params, tags,
 * notes, cells, datasets, parent/child runs, artifacts of every preview kind
 * (including a hostile HTML file and a hostile run name), and a registered
 * model with versions and an alias.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { logModel } from '../../src/models/log-model';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { fitLine } from '../registry/helpers';

export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const LONG_NAME = 'an-exceptionally-long-run-name-that-keeps-going-' + 'and-going-'.repeat(6) + 'end';

export interface UiFixture {
  readonly home: string;
  readonly client: TrackingClient;
  readonly registry: RegistryClient;
  readonly experimentId: string;
  readonly emptyExperimentId: string;
  readonly runIds: readonly string[];
  readonly xssRunId: string;
  readonly parentRunId: string;
  readonly artifactRunId: string;
  readonly modelName: string;
}

/** A w×h RGB PNG with a diagonal gradient, encoded here (no image library needed). */
export function png(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = y * (w * 3 + 1) + 1 + x * 3;
      raw[at] = (x * 255) / w;
      raw[at + 1] = (y * 255) / h;
      raw[at + 2] = 160;
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function history(r: number, n: number): { key: string; value: number; step: number; timestamp: number }[] {
  const out = [];
  const t0 = 1_700_000_000_000 + r * 3_600_000;
  for (let i = 0; i < n; i++) {
    const loss = 0.15 + 0.05 * r + 2 * Math.exp(-i / (30 + 10 * r)) + 0.04 * Math.sin(i / 3 + r);
    out.push({ key: 'loss', value: loss, step: i, timestamp: t0 + i * 1000 });
    out.push({ key: 'acc', value: 1 - loss / 3, step: i, timestamp: t0 + i * 1000 });
  }
  return out;
}

export async function buildUiFixture(): Promise<UiFixture> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ui-'));
  const client = new TrackingClient({ home });
  const registry = new RegistryClient({ tracking: client });
  const experiment = await client.createExperiment('vision', { description: 'image classifiers on a small data set' });
  const empty = await client.createExperiment('empty-experiment');
  const names = ['brave-otter-1', 'calm-heron-2', XSS_NAME, 'swift-lynx-4', LONG_NAME, 'quiet-fox-6'];
  const runIds: string[] = [];
  for (let r = 0; r < names.length; r++) {
    const { runId } = await client.createRun({
      experiment: 'vision', name: names[r],
      params: { lr: [0.1, 0.01, 0.001, 0.0001][r % 4], optimizer: r % 2 ? 'sgd' : 'adam', batch: 32 * (1 + (r % 3)) },
      tags: { team: r % 2 ? 'vision' : 'nlp' },
    });
    await client.logBatch(runId, { metrics: history(r, 120) });
    await client.setTerminated(runId, r === 3 ? 'FAILED' : 'FINISHED', r === 3 ? 'diverged at step 80' : undefined);
    runIds.push(runId);
  }
  const xssRunId = runIds[2];
  await client.setNote(runIds[0], 'baseline run; data v2');

  // A parent with two children (a sweep).
  const parent = await client.createRun({ experiment: 'vision', name: 'sweep-parent', params: { sweep: 'lr' } });
  for (let c = 0; c < 2; c++) {
    const child = await client.createRun({ experiment: 'vision', name: `sweep-child-${c}`, parent: parent.runId, params: { lr: 0.1 / (c + 1) } });
    await client.logBatch(child.runId, { metrics: [{ key: 'loss', value: 0.5 - c * 0.1, step: 0 }] });
    await client.setTerminated(child.runId);
  }
  await client.setTerminated(parent.runId);

  // The run with artifacts of every kind, cells and a dataset.
  const art = runIds[0];
  await client.logArtifact(art, { text: 'epoch 1 done\nepoch 2 done\n' }, 'logs/train.log');
  await client.logArtifact(art, { json: { acc: 0.93, classes: ['cat', 'dog'] } }, 'eval/metrics.json');
  await client.logArtifact(art, { text: 'id,label,score\n1,cat,0.91\n2,dog,0.42\n3,"cat, maybe",0.5\n' }, 'eval/predictions.csv');
  await client.logArtifact(art, Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2, 3]), score: Float64Array.from([0.9, 0.4, 0.5]) }), 'file')), 'eval/scores.arrow');
  await client.logArtifact(art, png(96, 64), 'plots/gradient.png');
  await client.logArtifact(art, { text: '<html><body><h1 id="h">report</h1><script>alert(document.domain)</script><img src=x onerror="alert(2)"></body></html>' }, 'report.html');
  await client.logArtifact(art, { text: '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>alert(3)</script><circle cx="20" cy="20" r="18" fill="teal"/></svg>' }, 'plots/logo.svg');
  await client.logArtifact(art, { json: {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Training\n', 'A <b>markdown</b> cell'] },
      { cell_type: 'code', execution_count: 1, metadata: {}, source: ['const lr = 0.01;\n', 'lr * 2'], outputs: [{ output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': ['0.02'], 'text/html': ['<script>alert(4)</script>'] } }] },
    ],
  } }, 'notebook.ipynb');
  await client.logArtifact(art, { json: {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: 'confusion',
    data: { values: [{ a: 'cat', b: 'cat', n: 40 }, { a: 'cat', b: 'dog', n: 3 }, { a: 'dog', b: 'cat', n: 5 }, { a: 'dog', b: 'dog', n: 52 }] },
    mark: 'rect', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'nominal' }, color: { field: 'n', type: 'quantitative' }, href: { value: 'javascript:alert(5)' } },
  } }, 'figures/confusion.vl.json');
  const { modelUri } = await logModel(art, fitLine(2), { client, inputExample: [1, 2, 3] });
  await client.logInput(art, [{ x: 1, y: 2 }, { x: 2, y: 4 }], { name: 'toy-rows', context: 'training' });
  const now = Date.now();
  await client.recordCell({ runId: art, seq: 1, executionCount: 3, source: 'const model = train({ lr: 0.01 });\nrun.log({ loss });', startTime: now - 4000, endTime: now - 1000, status: 'ok', error: null });

  // The registry: two versions of "m", the first one aliased.
  const modelName = 'm';
  await registry.registerModel(modelUri, modelName, { description: 'a line' });
  const second = runIds[1];
  const { modelUri: uri2 } = await logModel(second, fitLine(3), { client, inputExample: [1, 2, 3] });
  await registry.registerModel(uri2, modelName);
  await registry.setRegisteredModelAlias(modelName, 'champion', 1);
  return { home, client, registry, experimentId: experiment.experimentId, emptyExperimentId: empty.experimentId, runIds, xssRunId, parentRunId: parent.runId, artifactRunId: art, modelName };
}
