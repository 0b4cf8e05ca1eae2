import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveSpec } from './curve-chart';
import { renderSvg } from './render-svg';

interface Layer { mark: { type: string }; transform: { filter: string }[] }
const layersOf = (spec: Record<string, unknown>): Layer[] => (spec.layer ?? (spec.spec as { layer: Layer[] }).layer) as Layer[];
type Row = Record<string, unknown>;
const rowsOf = (spec: Record<string, unknown>, kind: string): Row[] => (spec.data as { values: Row[] }).values.filter((r) => r.kind === kind);

/** The rendered marks of one layer, panel by panel: each facet cell draws its own group per layer. */
function marksPerPanel(svg: string, groupClass: string, label: RegExp): string[][] {
  const groups = svg.match(new RegExp(`<g class="${groupClass}"[^]*?</g>`, 'g')) ?? [];
  return groups.map((g) => [...g.matchAll(label)].map((m) => m[1]));
}

const recall = [1, 1, 0.5, 0];
const precision = [0.25, 0.5, 1, 1];

test('PR curve: the no-skill baseline is a level rule at the share of positives, not a diagonal', async () => {
  const spec = curveSpec('pr', [{ name: 'positive class 1 (AP 0.800)', x: recall, y: precision, baseline: 0.25 }]);
  const [baseline, curve] = layersOf(spec);
  assert.equal(baseline.mark.type, 'rule');
  assert.deepEqual(baseline.transform, [{ filter: "datum.kind === 'baseline'" }]);
  assert.deepEqual(rowsOf(spec, 'baseline'), [{ kind: 'baseline', series: 'positive class 1 (AP 0.800)', panel: '', y: 0.25 }]);
  assert.equal(curve.mark.type, 'line');
  assert.deepEqual(spec.title, { text: 'Precision-recall curve', subtitle: 'dashed: no-skill precision (share of positives)' });
  const svg = await renderSvg(spec); // fails on any vega-lite warning
  assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 1);
});

test('PR curve: one baseline per class and panel, drawn only in its own panel; none without a baseline rather than a wrong one', async () => {
  const faceted = curveSpec('pr', [
    { name: 'run-a', panel: 'class 0', x: recall, y: precision, baseline: 0.2 },
    { name: 'run-b', panel: 'class 0', x: recall, y: precision, baseline: 0.2 },
    { name: 'run-a', panel: 'class 1', x: recall, y: precision, baseline: 0.3 },
  ]);
  const svg = await renderSvg(faceted);
  assert.deepEqual(marksPerPanel(svg, 'mark-rule role-mark child_layer_0_marks', /aria-label="y: ([\d.]+)/g), [['0.2', '0.2'], ['0.3']]);
  const bare = curveSpec('pr', [{ name: 'no share known', x: recall, y: precision }]);
  assert.deepEqual(layersOf(bare).map((l) => l.mark.type), ['line']);
  assert.equal(bare.title, 'Precision-recall curve');
  await renderSvg(bare);
});

test('ROC curve keeps its dashed diagonal from (0, 0) to (1, 1)', async () => {
  const spec = curveSpec('roc', [{ name: 'AUC 0.9', x: [0, 0.1, 1], y: [0, 0.8, 1] }]);
  const [chance] = layersOf(spec);
  assert.equal(chance.mark.type, 'line');
  assert.deepEqual(rowsOf(spec, 'diagonal'), [{ kind: 'diagonal', panel: '', x: 0, y: 0 }, { kind: 'diagonal', panel: '', x: 1, y: 1 }]);
  assert.equal(spec.title, 'ROC curve');
  await renderSvg(spec);
});

test('faceted ROC curves draw the diagonal once in each panel', async () => {
  const spec = curveSpec('roc', ['class 0', 'class 1', 'class 2'].flatMap((panel) => ['run-a', 'run-b'].map((name) => ({ name, panel, x: [0, 0.1, 1], y: [0, 0.8, 1] }))));
  const svg = await renderSvg(spec);
  const diagonals = marksPerPanel(svg, 'mark-line role-mark child_layer_0_marks', /aria-roledescription="line mark" d="([^"]*)"/g);
  assert.deepEqual(diagonals, [['M0,200L220,0'], ['M0,200L220,0'], ['M0,200L220,0']]);
});
