// Media and structured logging on a real SQLite store: images round-trip
// byte-exact (PNG and JPEG bytes) or pixel-exact (pixels, tensors), with a
// step history; tables round-trip through Arrow and are read back by polars;
// figures are validated and stored with their SVG; text and dicts as MLflow.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { configure, getClient } from '../../src/config';
import { readIpcWithPolars } from '../support/polars';
import { isTracklabError } from '../../src/errors';
import { decodePng, encodePng } from '../../src/media/png-codec';
import { tableRows } from '../../src/media/arrow-table';
import { runView } from '../../src/show/show-run';
import { tablePreviewBundle } from '../../src/views/table-preview';
import * as tl from '../../src/tracking/fluent';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const arrow = require('apache-arrow') as typeof import('apache-arrow');

async function bytesOf(runId: string, p: string): Promise<Buffer> {
  return getClient().openArtifact(runId, p);
}

function invalid(pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
    assert.match((err as Error).message, pattern);
    return true;
  };
}

/** A minimal baseline JPEG: SOI, an APP0 segment, SOF0 of 3×2, EOI (enough for the header reader; bytes kept as they are). */
const JPEG = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9,
]);

beforeEach(async () => {
  while (tl.activeRun()) await tl.endRun();
  configure({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-media-')), experiment: 'media' });
});

describe('logImage', () => {
  it('PNG and JPEG bytes are stored byte for byte (active run and client)', async () => {
    const png = encodePng({ width: 2, height: 1, rgba: Uint8Array.from([255, 0, 0, 255, 0, 0, 255, 128]) });
    const run = tl.startRun();
    const logged = await run.logImage(png, 'raw', { step: 3 });
    assert.deepEqual([logged.path, logged.width, logged.height, logged.format], ['images/raw/step_3.png', 2, 1, 'png']);
    await run.end();
    const jpeg = await getClient().logImage(run.id, JPEG, 'photo');
    assert.deepEqual([jpeg.path, jpeg.width, jpeg.height, jpeg.format], ['images/photo/step_0.jpg', 3, 2, 'jpeg']);
    assert.ok(Buffer.from(png).equals(await bytesOf(run.id, 'images/raw/step_3.png')), 'PNG byte-exact');
    assert.ok(Buffer.from(JPEG).equals(await bytesOf(run.id, 'images/photo/step_0.jpg')), 'JPEG byte-exact');
    const downloaded = await getClient().downloadArtifacts(`runs:/${run.id}/images/raw/step_3.png`);
    assert.ok(fs.readFileSync(downloaded).equals(Buffer.from(png)), 'byte-exact through downloadArtifacts too');
  });

  it('pixels come back pixel-exact: RGBA, grey, grey+alpha, RGB, floats in [0, 1], nested arrays, tfjs tensors', async () => {
    const run = tl.startRun();
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    await run.logImage({ data: rgba, shape: [2, 3, 4] }, 'rgba');
    await run.logImage({ data: Uint8Array.from([0, 50, 100, 150, 200, 250]), shape: [2, 3] }, 'grey');
    await run.logImage({ data: [10, 255, 20, 0], shape: [1, 2, 2] }, 'grey-alpha');
    await run.logImage({ data: Uint8Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] }, 'rgb');
    await run.logImage({ data: Float32Array.from([0, 0.5, 1, 0.25]), shape: [2, 2] }, 'float');
    await run.logImage([[0, 255], [128, 64]], 'nested');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs') as typeof TF;
    const tensor = tf.tensor3d([[[0.0], [1.0]], [[0.5], [0.2]]]);
    await run.logImage(tensor, 'tensor');
    tensor.dispose();
    await run.end();
    const decode = async (key: string) => decodePng(await bytesOf(run.id, `images/${key}/step_0.png`));
    assert.deepEqual([...(await decode('rgba')).rgba], [...rgba]);
    assert.deepEqual([...(await decode('grey')).rgba].filter((_, i) => i % 4 === 0), [0, 50, 100, 150, 200, 250]);
    assert.deepEqual([...(await decode('grey-alpha')).rgba], [10, 10, 10, 255, 20, 20, 20, 0]);
    assert.deepEqual([...(await decode('rgb')).rgba], [1, 2, 3, 255, 4, 5, 6, 255]);
    assert.deepEqual([...(await decode('float')).rgba].filter((_, i) => i % 4 === 0), [0, 128, 255, 64]);
    assert.deepEqual([...(await decode('nested')).rgba].filter((_, i) => i % 4 === 0), [0, 255, 128, 64]);
    const t = await decode('tensor');
    assert.deepEqual([t.width, t.height, ...[...t.rgba].filter((_, i) => i % 4 === 0)], [2, 2, 0, 255, 128, 51]);
    // grey images are stored as 1-channel PNGs (colour type 0), not as RGBA
    assert.equal((await bytesOf(run.id, 'images/grey/step_0.png'))[25], 0);
  });

  it('a step history per key, shown by show() as a strip and in the run card', async () => {
    const run = tl.startRun();
    for (const step of [0, 5, 10]) await run.logImage({ data: new Uint8Array(16).fill(step * 20), shape: [4, 4] }, 'weights', { step });
    await run.end();
    const files = (await getClient().listArtifacts(run.id, 'images/weights')).map((a) => a.path);
    assert.deepEqual(files, ['images/weights/step_0.png', 'images/weights/step_10.png', 'images/weights/step_5.png']);
    const bundles = await runView(run.id);
    const strip = bundles.map((b) => String(b.data['text/html'] ?? '')).find((h) => h.includes('tl-imgs') && h.includes('step 10') && !h.includes('tl-card'));
    assert.ok(strip, 'a strip bundle');
    assert.equal((strip.match(/<img src="data:image\/png;base64,/g) ?? []).length, 3);
    assert.ok(strip.indexOf('step 0') < strip.indexOf('step 5') && strip.indexOf('step 5') < strip.indexOf('step 10'), 'steps in order');
    const card = String(bundles[0].data['text/html']);
    assert.match(card, /weights · step 10/, 'the card shows the latest image of each key');
  });

  it('refuses what it cannot store, with the fix in the message, and keeps what was logged', async () => {
    const run = tl.startRun();
    await run.logImage([[1]], 'ok');
    await assert.rejects(run.logImage({ data: [1, 2, 3], shape: [2, 2] }, 'x'), invalid(/needs 4 values but the pixel data has 3/));
    await assert.rejects(run.logImage({ data: [1, 2], shape: [1, 1, 2, 1] }, 'x'), invalid(/shape \[height, width\]/));
    await assert.rejects(run.logImage({ data: [300], shape: [1, 1] }, 'x'), invalid(/outside \[0, 255\]/));
    await assert.rejects(run.logImage({ data: Float32Array.from([1.5]), shape: [1, 1] }, 'x'), invalid(/outside \[0, 1\]/));
    await assert.rejects(run.logImage(Uint8Array.from([1, 2, 3]), 'x'), invalid(/neither PNG nor JPEG/));
    await assert.rejects(run.logImage([[1]], '../escape'), invalid(/is not usable/));
    await assert.rejects(run.logImage([[1]], 'x', { step: -1 }), invalid(/non-negative integer/));
    await assert.rejects(run.logImage('photo.png' as never, 'x'), invalid(/takes PNG or JPEG bytes/));
    await run.end();
    assert.deepEqual((await getClient().listArtifacts(run.id, 'images')).map((a) => a.path), ['images/ok/step_0.png']);
  });
});

describe('logTable', () => {
  it('rows become an Arrow file with its schema, read back by polars', async () => {
    const run = tl.startRun();
    const rows = [{ id: 1, label: 'cat', score: 0.5, ok: true }, { id: 2, label: 'dog', score: null, ok: false }, { id: 3, label: 'a,"b"', score: 2.25, ok: true }];
    const logged = await run.logTable(rows, 'samples');
    await run.end();
    assert.equal(logged.path, 'tables/samples.arrow');
    assert.deepEqual(logged.schema, [{ name: 'id', type: 'Float64' }, { name: 'label', type: 'Utf8' }, { name: 'score', type: 'Float64' }, { name: 'ok', type: 'Bool' }]);
    const df = readIpcWithPolars(await bytesOf(run.id, 'tables/samples.arrow'));
    assert.deepEqual(df.columns, ['id', 'label', 'score', 'ok']);
    assert.deepEqual(df.column('label'), ['cat', 'dog', 'a,"b"']);
    assert.deepEqual(df.column('score'), [0.5, null, 2.25]);
    assert.deepEqual(df.column('ok'), [true, false, true]);
    assert.equal(df.dtypes[0], 'Float64');
  });

  it('an apache-arrow Table and an object of columns round-trip; mixed kinds become text', async () => {
    const run = tl.startRun();
    const table = arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] });
    await run.logTable(table, 'from-arrow');
    await run.logTable({ v: [1, 'two', { three: 3 }] }, 'mixed.arrow');
    await run.end();
    const back = arrow.tableFromIPC(await bytesOf(run.id, 'tables/from-arrow.arrow'));
    assert.deepEqual(tableRows(back).map((r) => ({ ...r })), [{ x: 1, name: 'a' }, { x: 2, name: 'b' }, { x: 3, name: 'c' }]);
    assert.equal(String(back.schema.fields[0].type), 'Int32');
    const mixed = readIpcWithPolars(await bytesOf(run.id, 'mixed.arrow'));
    assert.deepEqual(mixed.column('v'), ['1', 'two', '{"three":3}']);
  });

  it('the preview is the escaped head of the table with the row count and column types', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const bundle = tablePreviewBundle('tables/t.arrow', [{ name: hostile, type: 'Utf8' }], Array.from({ length: 25 }, () => ({ [hostile]: hostile })), 25);
    const html = String(bundle.data['text/html']);
    assert.ok(!html.includes('<img'), 'escaped');
    assert.match(html, /25 row\(s\) × 1 column\(s\)/);
    assert.match(html, /first 10 of 25 rows/);
    assert.equal((html.match(/<tr>/g) ?? []).length, 11, 'header + 10 rows');
  });
});

describe('logFigure, logText, logDict', () => {
  const spec = { data: { values: [{ k: 'a', n: 3 }, { k: 'b', n: 5 }] }, mark: 'bar', encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'n', type: 'quantitative' } } };

  it('stores the spec (with the v5 $schema) and its server-rendered SVG', async () => {
    const run = tl.startRun();
    const logged = await run.logFigure(spec, 'counts');
    await run.end();
    assert.deepEqual([logged.specPath, logged.svgPath], ['figures/counts.vl.json', 'figures/counts.svg']);
    const stored = JSON.parse((await bytesOf(run.id, 'figures/counts.vl.json')).toString('utf8')) as Record<string, unknown>;
    assert.equal(stored.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    assert.equal(stored.mark, 'bar');
    const svg = (await bytesOf(run.id, 'figures/counts.svg')).toString('utf8');
    assert.match(svg, /^<svg/);
    assert.equal((svg.match(/<path[^>]*role-mark|mark-rect/g) ?? []).length > 0, true);
  });

  it('refuses URL data, image URLs, links, loaders, other schemas and specs that do not compile', async () => {
    const run = tl.startRun();
    await assert.rejects(run.logFigure({ ...spec, data: { url: 'https://example.com/data.csv' } }, 'f'), invalid(/data\.url loads data or images from a URL/));
    await assert.rejects(run.logFigure({ ...spec, mark: 'image', encoding: { url: { field: 'k' } } }, 'f'), invalid(/encoding\.url/));
    await assert.rejects(run.logFigure({ ...spec, encoding: { ...spec.encoding, href: { field: 'k' } } }, 'f'), invalid(/href makes marks into links/));
    await assert.rejects(run.logFigure({ ...spec, usermeta: { embedOptions: { loader: {} } } }, 'f'), invalid(/usermeta\.embedOptions/));
    await assert.rejects(run.logFigure({ ...spec, $schema: 'https://vega.github.io/schema/vega/v5.json' }, 'f'), invalid(/Vega-Lite v5 specs/));
    await assert.rejects(run.logFigure({ ...spec, mark: 'nonsense' }, 'f'), invalid(/cannot compile/i));
    await assert.rejects(run.logFigure('bar' as never, 'f'), invalid(/takes a Vega-Lite spec object/));
    await run.end();
    assert.deepEqual(await getClient().listArtifacts(run.id, 'figures'), []);
  });

  it('the client logs tables, figures, text and dicts by run id, into a run that has ended too', async () => {
    const run = tl.startRun();
    await run.end();
    const client = getClient();
    assert.equal((await client.logTable(run.id, [{ id: 1, label: 'cat' }], 'samples')).path, 'tables/samples.arrow');
    assert.deepEqual(readIpcWithPolars(await bytesOf(run.id, 'tables/samples.arrow')).column('label'), ['cat']);
    const figure = await client.logFigure(run.id, spec, 'counts');
    assert.match((await bytesOf(run.id, figure.svgPath)).toString('utf8'), /^<svg/);
    await client.logText(run.id, 'all good', 'notes.txt');
    await client.logDict(run.id, { layers: 3 }, 'config.yaml');
    assert.equal((await bytesOf(run.id, 'notes.txt')).toString('utf8'), 'all good');
    assert.equal((await bytesOf(run.id, 'config.yaml')).toString('utf8'), 'layers: 3\n');
    await assert.rejects(client.logFigure(run.id, { ...spec, data: { url: 'https://example.com/x.csv' } }, 'bad'), invalid(/data\.url/));
    await assert.rejects(client.logTable('no-such-run', [{ a: 1 }], 't'), (e: unknown) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST'));
  });

  it('logText and logDict write what MLflow writes (JSON, or YAML for .yaml)', async () => {
    const run = tl.startRun();
    await run.logText('héllo\n', 'notes/readme.txt');
    await run.logDict({ b: [1, 2], a: { c: true } }, 'config.json');
    await run.logDict({ layers: 3, act: 'relu' }, 'config.yaml');
    await assert.rejects(run.logDict('x' as never, 'c.json'), invalid(/plain object/));
    await run.end();
    assert.equal((await bytesOf(run.id, 'notes/readme.txt')).toString('utf8'), 'héllo\n');
    assert.deepEqual(JSON.parse((await bytesOf(run.id, 'config.json')).toString('utf8')), { b: [1, 2], a: { c: true } });
    assert.equal((await bytesOf(run.id, 'config.yaml')).toString('utf8'), 'layers: 3\nact: relu\n');
  });
});
