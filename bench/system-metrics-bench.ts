/**
 * Issue 14 figure: the overhead of system metrics on a tfjs fit, against the
 * same fit without them, each in a run (startRun ... end).
 *
 * Two measurements, both in this run:
 * - the fit A/B: the sampler at 1 s (ten times its default rate), sides in
 *   ABBA order, CPU time of the whole process (the sampler's thread
 *   included). Printed as the median of the paired ratios with their
 *   spread: on a shared 2-core machine the same fit's CPU time moves by
 *   5-10 % from one fit to the next, far more than the sampler costs, so
 *   this figure cannot resolve 1 % and carries no target;
 * - the sampler's own cost, measured where nothing else moves: this process
 *   idles for the same time with and without a sampled run, and the CPU
 *   difference per second, over the fit's own CPU per second, is the
 *   overhead the sampler adds to a fit. The <= 1 % target is checked on it,
 *   at 1 s and at the default 10 s.
 */
import type * as TF from '@tensorflow/tfjs';
import { configure } from '../src/config';
import { startRun } from '../src/tracking/fluent';
import { tempDir, type Report } from './report';

const EPOCHS = 40;
const ROWS = 2000;
const FEATURES = 16;
const PAIRS = 6;
const INTERVAL_MS = 1000;

interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly samples: number;
}

function loadTf(): typeof TF {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as typeof TF;
  tf.env().set('IS_TEST', true);
  return tf;
}

async function timedFit(tf: typeof TF, x: TF.Tensor, y: TF.Tensor, sampled: boolean): Promise<Timing> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 32, inputShape: [FEATURES], activation: 'relu' }), tf.layers.dense({ units: 16, activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const run = startRun(sampled ? { systemMetrics: { intervalMs: INTERVAL_MS, nvidiaSmi: false } } : { systemMetrics: false });
  await model.fit(x, y, { epochs: EPOCHS, batchSize: 64, verbose: 0 });
  await run.end();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  model.dispose();
  const stored = await run.client.getRun(run.id);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, samples: stored.data.metrics['system/process_cpu_percentage']?.count ?? 0 };
}

/** CPU ms this process spends per second idling for `ms`, with a sampled run open or not. */
async function idleCpuPerSecond(ms: number, intervalMs: number | undefined): Promise<number> {
  const run = startRun(intervalMs === undefined ? { systemMetrics: false } : { systemMetrics: { intervalMs, nvidiaSmi: false } });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await run.end();
  return (cpu.user + cpu.system) / 1000 / (wallMs / 1000);
}

export async function systemMetricsOverhead(report: Report): Promise<void> {
  const tf = loadTf();
  const x = tf.randomNormal([ROWS, FEATURES], 0, 1, 'float32', 1);
  const y = tf.tidy(() => x.sum(1, true).tanh());
  configure({ home: tempDir('sysmetrics'), experiment: 'bench' });
  // warm-up: tfjs kernels, the sampler's shared thread, the store
  await timedFit(tf, x, y, false);
  await timedFit(tf, x, y, true);
  const plain: Timing[] = [];
  const sampled: Timing[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const sampledFirst = i % 2 === 1;
    if (sampledFirst) sampled.push(await timedFit(tf, x, y, true));
    plain.push(await timedFit(tf, x, y, false));
    if (!sampledFirst) sampled.push(await timedFit(tf, x, y, true));
  }
  x.dispose();
  y.dispose();
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const cpuRatios = sampled.map((s, i) => s.cpuMs / plain[i].cpuMs);
  const wallRatios = sampled.map((s, i) => s.wallMs / plain[i].wallMs);
  const samples = sampled.map((t) => t.samples);
  const fitCpuPerSecond = median(plain.map((t) => t.cpuMs / (t.wallMs / 1000)));
  report.add({
    name: `tfjs fit, ${EPOCHS} epochs of ${ROWS}x${FEATURES} in a run, with system metrics every ${INTERVAL_MS / 1000} s, CPU time (all threads)`,
    value: median(sampled.map((t) => t.cpuMs)), unit: 'ms', baseline: { name: 'the same fit in a run without them', value: median(plain.map((t) => t.cpuMs)) },
    note: `median of ${PAIRS} paired ratios ${((median(cpuRatios) - 1) * 100).toFixed(1)} % (pairs ${cpuRatios.map((r) => `${((r - 1) * 100).toFixed(0)}`).join(', ')} %; wall ${((median(wallRatios) - 1) * 100).toFixed(1)} %); ` +
      `samples per fit ${Math.min(...samples)}-${Math.max(...samples)}; fit-to-fit noise on this machine exceeds the sampler's cost, see the next figures`,
  });
  const idleMs = 10_000;
  const idle = await idleCpuPerSecond(idleMs, undefined);
  const atOne = await idleCpuPerSecond(idleMs, INTERVAL_MS);
  const idleAfter = await idleCpuPerSecond(idleMs, undefined); // the unsampled side again: A B A
  const base = (idle + idleAfter) / 2;
  const atTen = await idleCpuPerSecond(30_000, 10_000);
  const costOne = Math.max(0, atOne - base);
  const costTen = Math.max(0, atTen - base);
  report.add({
    name: `system metrics overhead on that fit, sampling every ${INTERVAL_MS / 1000} s (sampler CPU per second / the fit's CPU per second)`,
    value: (costOne / fitCpuPerSecond) * 100, unit: '%', target: { op: '<=', value: 1 },
    note: `sampler ${costOne.toFixed(2)} CPU ms/s (idle process ${base.toFixed(2)} ms/s without, ${atOne.toFixed(2)} with); the fit uses ${fitCpuPerSecond.toFixed(0)} CPU ms/s`,
  });
  report.add({
    name: 'the same at the default interval (10 s)',
    value: (costTen / fitCpuPerSecond) * 100, unit: '%', target: { op: '<=', value: 1 },
    note: `sampler ${costTen.toFixed(2)} CPU ms/s over 30 s (event-loop delay histogram included)`,
  });
}
