/** Shared set-up for registry tests: a temp store, and runs that train and log a small real model. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logModel } from '../../src/models/log-model';
import { TrackingClient } from '../../src/tracking/client';

export interface Regression {
  predict(x: number | number[]): number | number[];
  toJSON(): unknown;
}

// ml-regression ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { SimpleLinearRegression } = require('ml-regression') as {
  SimpleLinearRegression: new (x: number[], y: number[]) => Regression;
};

export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
}

/** Fits y = slope * x + 1 (with a little noise) on 8 points. */
export function fitLine(slope: number): Regression {
  const xs = [0, 1, 2, 3, 4, 5, 6, 7];
  return new SimpleLinearRegression(xs, xs.map((x, i) => slope * x + 1 + (i % 2 === 0 ? 0.01 : -0.01)));
}

export interface LoggedRun {
  readonly runId: string;
  readonly modelUri: string;
  readonly model: Regression;
}

/** A finished run with `metrics` and, unless `withModel` is false, a logged json-flavor model. */
export async function trainRun(
  client: TrackingClient, experiment: string, slope: number, metrics: Readonly<Record<string, number>>,
  options: { withModel?: boolean; modelName?: string } = {},
): Promise<LoggedRun> {
  const { runId } = await client.createRun({ experiment, params: { slope } });
  await client.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })) });
  const model = fitLine(slope);
  let modelUri = '';
  if (options.withModel !== false) {
    modelUri = (await logModel(runId, model, { client, name: options.modelName, inputExample: [1, 2, 3] })).modelUri;
  }
  await client.setTerminated(runId);
  return { runId, modelUri, model };
}

export function codeOf(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}
