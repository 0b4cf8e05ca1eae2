/**
 * registry.show() on a real store: a models table, then per model a versions
 * table and a chart bundle, following the bundle contract; user strings are
 * escaped; purged source runs are shown as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportBest } from '../../src/show/export-best';
import { RegistryClient } from '../../src/registry/registry-client';
import { registrySummary } from '../../src/show/registry-show';
import { TrackingClient } from '../../src/tracking/client';
import type { DisplayBundle } from '../../src/views/bundle';
import { tempHome, trainRun } from './helpers';

const VL = 'application/vnd.vegalite.v5+json';
const HOSTILE = '<img src=x onerror=alert(1)>';

function isTable(b: DisplayBundle): boolean {
  return typeof b.data['text/html'] === 'string' && typeof b.data['text/plain'] === 'string' && !(VL in b.data);
}

function isChart(b: DisplayBundle): boolean {
  const spec = b.data[VL] as { $schema?: string } | undefined;
  return typeof spec === 'object' && spec !== null && spec.$schema === 'https://vega.github.io/schema/vega-lite/v5.json'
    && String(b.data['image/svg+xml']).startsWith('<svg') && typeof b.data['text/plain'] === 'string' && !('text/html' in b.data);
}

test('registrySummary(name) (what show displays) gives a models table, a versions table and a metric-by-version chart with aliases marked', async () => {
  const tracking = new TrackingClient({ home: tempHome() });
  const registry = new RegistryClient({ tracking });
  try {
    const a = await trainRun(tracking, 'show', 1, { rmse: 0.5, r2: 0.7 });
    const b = await trainRun(tracking, 'show', 2, { rmse: 0.25, r2: 0.9 });
    const c = await trainRun(tracking, 'show', 3, { rmse: 0.4, r2: 0.8 });
    const name = `line ${HOSTILE}`;
    await registry.registerModel(a.modelUri, name, { description: HOSTILE });
    await registry.registerModel(c.modelUri, name);
    await exportBest({ experiment: 'show', metric: 'rmse', mode: 'min', name, registry }); // b → v3 @champion
    await registry.setRegisteredModelAlias(name, 'previous', 1);
    await tracking.deleteRun(a.runId);
    await tracking.gc({ force: true });

    const summary = await registrySummary(name, { registry });
    assert.equal(summary.bundles.length, 3);
    const [models, versions, chart] = summary.bundles;
    assert.ok(isTable(models) && isTable(versions) && isChart(chart));

    const modelsHtml = String(models.data['text/html']);
    assert.ok(!modelsHtml.includes(HOSTILE) && modelsHtml.includes('&lt;img src=x onerror=alert(1)&gt;'), 'names are escaped');
    const modelsText = String(models.data['text/plain']);
    assert.match(modelsText, /@champion → v3, @previous → v1/);
    assert.match(modelsText, new RegExp(`\\s${(await tracking.getRun(b.runId)).info.runName}\\s`), 'latest version\'s source run');
    assert.match(modelsText, /rmse=0\.25, r2=0\.9/, 'key metrics, the ranked one first');

    const versionsText = String(versions.data['text/plain']);
    const lines = versionsText.split('\n');
    assert.match(lines[0], /: 3 versions$/);
    assert.match(lines[1], /version\s+status\s+aliases\s+created\s+source run\s+run_id\s+rmse\s+r2\s+description/);
    assert.match(lines.find((l) => /^\*/.test(l)) ?? '', /^\*\s+3\s+READY\s+@champion/, 'the best version by rmse (min) is marked');
    assert.match(versionsText, new RegExp(`^\\s+1\\s+READY\\s+@previous\\s+\\S+ \\S+\\s+\\(purged\\)\\s+${a.runId}\\s+<img`, 'm'), 'a purged run has no metrics to show');
    assert.ok(!String(versions.data['text/html']).includes(HOSTILE));
    assert.equal(lines.at(-1), '* best rmse (min)', 'the legend uses the mark the text gives the best row');
    assert.ok(!versionsText.includes('★'));
    assert.match(String(versions.data['text/html']), /tl-best[\s\S]*<div class="tl-note">★ best rmse \(min\)<\/div>/);

    const spec = chart.data[VL] as { data: { values: { version: string; value: number | null; alias: string }[] } };
    assert.deepEqual(spec.data.values.map((r) => [r.version, r.value, r.alias]), [['v1', null, '@previous'], ['v2', 0.4, ''], ['v3', 0.25, '@champion']]);
    assert.match(String(chart.data['text/plain']), /rmse by version \(v1 —  ?@previous, v2 0\.4, v3 0\.25 @champion\)/);

    const all = await registrySummary(undefined, { registry, metric: 'r2' });
    assert.equal(all.bundles.length, 3);
    const r2 = all.bundles[2].data[VL] as { data: { values: { value: number | null }[] } };
    assert.deepEqual(r2.data.values.map((r) => r.value), [null, 0.8, 0.9]);
  } finally {
    registry.close();
    await tracking.close();
  }
});

test('registrySummary() on an empty registry says how to register, and an unknown model throws', async () => {
  const tracking = new TrackingClient({ home: tempHome() });
  const registry = new RegistryClient({ tracking });
  try {
    const empty = await registrySummary(undefined, { registry });
    assert.equal(empty.bundles.length, 1);
    assert.match(empty.text, /No registered models yet: register one with tracklab\.getRegistry\(\)\.registerModel\(modelUri, name\) or tracklab\.exportBest\(\)/,
      'registerModel is a registry method, not a top-level export');
    await assert.rejects(registrySummary('ghost', { registry }), /No registered model named "ghost"/);
  } finally {
    registry.close();
    await tracking.close();
  }
});

test('the versions table marks every version tied for best', async () => {
  const tracking = new TrackingClient({ home: tempHome() });
  const registry = new RegistryClient({ tracking });
  try {
    for (const [slope, rmse] of [[1, 0.5], [2, 0.25], [3, 0.25]] as const) {
      await registry.registerModel((await trainRun(tracking, 'ties', slope, { rmse })).modelUri, 'tied');
    }
    const summary = await registrySummary('tied', { registry, metric: 'rmse' });
    const versions = summary.bundles[1];
    const marked = String(versions.data['text/plain']).split('\n').filter((l) => /^\*\s+\d/.test(l)).map((l) => Number(l.split(/\s+/)[1]));
    assert.deepEqual(marked.sort(), [2, 3]);
  } finally {
    await tracking.close();
  }
});
