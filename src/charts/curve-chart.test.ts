import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveSpec } from './curve-chart';
import { renderSvg } from './render-svg';

interface Layer { mark: { type: string }; data?: { values: Record<string, unknown>[] } }
const layersOf = (spec: Record<string, unknown>): Layer[] => (spec.layer ?? (spec.spec as { layer: Layer[] }).layer) as Layer[];

const recall = [1, 1, 0.5, 0];
const precision = [0.25, 0.5, 1, 1];

test('PR curve: the no-skill baseline is a level rule at the share of positives, not a diagonal', async () => {
  const spec = curveSpec('pr', [{ name: 'positive class 1 (AP 0.800)', x: recall, y: precision, baseline: 0.25 }]);
  const [baseline, curve] = layersOf(spec);
  assert.equal(baseline.mark.type, 'rule');
  assert.deepEqual(baseline.data?.values, [{ series: 'positive class 1 (AP 0.800)', panel: '', y: 0.25 }]);
  assert.equal(curve.mark.type, 'line');
  assert.deepEqual(spec.title, { text: 'Precision-recall curve', subtitle: 'dashed: no-skill precision (share of positives)' });
  const svg = await renderSvg(spec); // fails on any vega-lite warning
  assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 1);
});

test('PR curve: one baseline per class and panel; none without a baseline rather than a wrong one', async () => {
  const faceted = curveSpec('pr', [
    { name: 'run-a', panel: 'class 0', x: recall, y: precision, baseline: 0.2 },
    { name: 'run-a', panel: 'class 1', x: recall, y: precision, baseline: 0.3 },
  ]);
  assert.deepEqual(layersOf(faceted)[0].data?.values.map((v) => [v.panel, v.y]), [['class 0', 0.2], ['class 1', 0.3]]);
  await renderSvg(faceted);
  const bare = curveSpec('pr', [{ name: 'no share known', x: recall, y: precision }]);
  assert.deepEqual(layersOf(bare).map((l) => l.mark.type), ['line']);
  assert.equal(bare.title, 'Precision-recall curve');
  await renderSvg(bare);
});

test('ROC curve keeps its dashed diagonal from (0, 0) to (1, 1)', async () => {
  const spec = curveSpec('roc', [{ name: 'AUC 0.9', x: [0, 0.1, 1], y: [0, 0.8, 1] }]);
  const [chance] = layersOf(spec);
  assert.equal(chance.mark.type, 'line');
  assert.deepEqual(chance.data?.values, [{ x: 0, y: 0 }, { x: 1, y: 1 }]);
  assert.equal(spec.title, 'ROC curve');
  await renderSvg(spec);
});
