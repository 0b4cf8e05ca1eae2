// A tooltip shows a field's name where its entry has no title, so "series",
// "x" and "y" reached the user. Every chart's tooltips name fields in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barByVersionSpec } from './bar-by-version';
import { calibrationSpec } from './calibration-chart';
import { confusionMatrixSpec } from './confusion-matrix-chart';
import { curveSpec } from './curve-chart';
import { lineChartSpec } from './line-chart';
import { parallelCoordinatesSpec } from './parallel-coordinates';
import { predictedVsActualSpec, residualsSpec } from './regression-charts';
import { scatterSpec } from './scatter';
import { smallMultiplesSpec } from './small-multiples';
import type { VegaLiteSpec } from './series';

/** Fields a tooltip would show by their raw name: entries without a title, or untitled channels of a `tooltip: true` mark. */
function untitled(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => untitled(n, out));
  if (!node || typeof node !== 'object' || Array.isArray(node)) return out;
  type Def = { field?: string; title?: unknown };
  const unit = node as { mark?: { tooltip?: unknown }; encoding?: Record<string, unknown> };
  const entries = unit.encoding?.tooltip as Def[] | undefined;
  if (entries) {
    for (const t of entries) if (typeof t.title !== 'string' || t.title === '') out.push(String(t.field));
  } else if (unit.mark?.tooltip === true) {
    for (const channel of ['x', 'y']) {
      const def = unit.encoding?.[channel] as Def | undefined;
      if (def?.field && typeof def.title !== 'string') out.push(def.field);
    }
  }
  for (const [k, v] of Object.entries(node)) if (k !== 'data') untitled(v, out);
  return out;
}

const steps = [0, 1, 2];
const runs = [
  { runId: 'a', runName: 'a', params: { lr: '0.1' }, value: 0.3 },
  { runId: 'b', runName: 'b', params: { lr: '0.01' }, value: 0.2 },
];
const specs: Record<string, VegaLiteSpec> = {
  line: lineChartSpec('loss', [{ runId: 'a', runName: 'a', key: 'loss', steps, values: [3, 2, 1] }, { runId: 'b', runName: 'b', key: 'loss', steps: [0], values: [1] }], { smoothing: 0.5 }),
  multiples: smallMultiplesSpec('a', [{ runId: 'a', key: 'loss', steps, values: [3, 2, 1] }]),
  parallel: parallelCoordinatesSpec('loss', ['lr', 'optimizer'], [...runs, { runId: 'c', runName: 'c', params: { optimizer: 'adam' }, value: 0.1 }]),
  scatter: scatterSpec('lr', 'loss', runs),
  bars: barByVersionSpec('m', 'acc', [{ version: 1, value: 0.8, aliases: ['champion'] }]),
  roc: curveSpec('roc', [{ name: 'class 1', x: [0, 1], y: [0, 1] }]),
  pr: curveSpec('pr', [{ name: 'class 1', x: [1, 0], y: [0.5, 1], baseline: 0.5 }]),
  calibration: calibrationSpec([{ name: 'class 1', bins: [{ meanPredicted: 0.2, fractionPositive: 0.25, count: 4 }] }]),
  confusion: confusionMatrixSpec([{ labels: [0, 1], counts: [[3, 1], [0, 4]] }]),
  residuals: residualsSpec([1, 2, 3], [1.1, 1.9, 3.2]),
  predictedVsActual: predictedVsActualSpec([1, 2, 3], [1.1, 1.9, 3.2]),
};

for (const [name, spec] of Object.entries(specs)) {
  test(`${name} chart: every tooltip field has a title`, () => {
    assert.deepEqual(untitled(spec), []);
  });
}

test('curve tooltips use the axis titles', () => {
  const tooltip = (spec: VegaLiteSpec) => JSON.stringify(spec).match(/"tooltip":\[[^\]]*\]/g)?.map((t) => (JSON.parse(`{${t}}`) as { tooltip: { title: string }[] }).tooltip.map((e) => e.title));
  assert.deepEqual(tooltip(specs.roc), [['curve', 'False positive rate', 'True positive rate']]);
  assert.deepEqual(tooltip(specs.pr), [['curve', 'no-skill precision'], ['curve', 'Recall', 'Precision']]);
});
