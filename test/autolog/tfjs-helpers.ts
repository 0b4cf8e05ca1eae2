/**
 * Shared pieces of the tfjs autolog tests: tfjs loaded lazily (so a test can
 * turn autolog on before it is first required), its Node banner silenced,
 * tiny models on seeded synthetic data, and store readers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { configure } from '../../src/config';
import type { TrackingClient } from '../../src/tracking/client';

let tfjs: typeof TF | undefined;

/** `@tensorflow/tfjs`, required on first call. */
export function tf(): typeof TF {
  if (tfjs === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tfjs = require('@tensorflow/tfjs') as typeof TF;
    // The CPU backend prints a "use tfjs-node" banner on first use unless IS_TEST is set.
    tfjs.env().set('IS_TEST', true);
  }
  return tfjs;
}

/** A fresh store folder, made the default one. */
export function freshStore(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  configure({ home });
  return home;
}

/** 64 rows of 4 features with a linear target, the same every call. */
export function regressionData(rows = 64): { x: TF.Tensor2D; y: TF.Tensor2D } {
  const t = tf();
  const features: number[][] = [];
  const targets: number[][] = [];
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let i = 0; i < rows; i++) {
    const row = [rand(), rand(), rand(), rand()];
    features.push(row);
    targets.push([row[0] * 2 - row[1] + 0.5 * row[2] * row[3]]);
  }
  return { x: t.tensor2d(features), y: t.tensor2d(targets) };
}

/** A compiled two-layer dense network with 4 inputs and 1 output. */
export function denseModel(learningRate = 0.05, metrics: string[] = ['mse']): TF.Sequential {
  const t = tf();
  const model = t.sequential({
    layers: [
      t.layers.dense({ units: 6, inputShape: [4], activation: 'relu', kernelInitializer: 'glorotUniform' }),
      t.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: t.train.adam(learningRate), loss: 'meanSquaredError', metrics });
  return model;
}

/** Metric series of a run, by key, ordered by step. */
export async function series(client: TrackingClient, runId: string): Promise<Map<string, { steps: number[]; values: number[] }>> {
  const table = await client.metricHistory(runId);
  const out = new Map<string, { steps: number[]; values: number[] }>();
  for (const row of table) {
    const r = row.toJSON() as { key: string; step: bigint | number; value: number };
    let s = out.get(r.key);
    if (!s) {
      s = { steps: [], values: [] };
      out.set(r.key, s);
    }
    s.steps.push(Number(r.step));
    s.values.push(r.value);
  }
  for (const s of out.values()) {
    const order = s.steps.map((_, i) => i).sort((a, b) => s.steps[a] - s.steps[b]);
    s.steps = order.map((i) => s.steps[i]);
    s.values = order.map((i) => s.values[i]);
  }
  return out;
}
