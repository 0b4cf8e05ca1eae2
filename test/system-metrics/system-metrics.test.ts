// System metrics: /proc and nvidia-smi parsing on fixtures, the sampler in
// this process (events, not sleeps: the test waits for the samples it
// needs), a fake nvidia-smi on PATH (a real child process printing CSV),
// and a real child process that trains for 30 s with systemMetrics on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { configure, getClient } from '../../src/config';
import { findNvidiaSmi, gpuMetrics, parseNvidiaSmi } from '../../src/system-metrics/gpu';
import { parseCpuTimes, parseDiskStats, parseMemInfo, parseNetDev } from '../../src/system-metrics/proc-stats';
import { startSampler } from '../../src/system-metrics/sampler';
import { systemMetricsFor } from '../../src/system-metrics/run-sampler';
import { autolog } from '../../src/notebook/autolog';
import * as tl from '../../src/tracking/fluent';

beforeEach(async () => {
  while (tl.activeRun()) await tl.endRun();
  configure({ home: fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-sysm-')), experiment: 'system' });
});

/** Resolves once the run has two system samples stored (they go to the client's buffer: flush, then read). */
function twoSamples(runId: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = setInterval(() => {
      void getClient().getRun(runId).then((r) => { if ((r.data.metrics['system/process_cpu_percentage']?.count ?? 0) >= 2) { clearInterval(check); resolve(); } }).catch(() => undefined);
      void getClient().flush();
    }, 100);
  });
}

describe('parsing /proc and nvidia-smi', () => {
  it('cpu times, memory, network (loopback left out), whole disks (partitions left out)', () => {
    assert.deepEqual(parseCpuTimes('cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n'), { busy: 161, total: 981 });
    assert.deepEqual(parseMemInfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n'), { used: 750 * 1024, total: 1000 * 1024 });
    const netdev = 'Inter-|...\n face |...\n    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n  eth0: 2000 5 0 0 0 0 0 0 3000 6 0 0 0 0 0 0\n';
    assert.deepEqual(parseNetDev(netdev), { rx: 2000, tx: 3000 });
    const disks = '   8       0 sda 10 0 100 0 20 0 200 0 0 0 0\n   8       1 sda1 10 0 100 0 20 0 200 0 0 0 0\n   7       0 loop0 1 0 9 0 1 0 9 0 0 0 0\n 259 0 nvme0n1 1 0 4 0 1 0 8 0 0 0 0\n';
    assert.deepEqual(parseDiskStats(disks), { read: 104 * 512, written: 208 * 512 });
  });

  it('nvidia-smi CSV per GPU under MLflow names; [N/A] fields are left out', () => {
    const gpus = parseNvidiaSmi('37, 1024, 16384, 45.5, 250.00\n0, 10, 8000, [N/A], [N/A]\n');
    assert.deepEqual(gpuMetrics(gpus), {
      gpu_0_utilization_percentage: 37, gpu_0_memory_usage_megabytes: 1024, gpu_0_memory_usage_percentage: 6.25,
      gpu_0_power_usage_watts: 45.5, gpu_0_power_usage_percentage: 18.2,
      gpu_1_utilization_percentage: 0, gpu_1_memory_usage_megabytes: 10, gpu_1_memory_usage_percentage: 0.125,
    });
  });
});

describe('the sampler', () => {
  it('samples the machine and this process, with GPU metrics from an nvidia-smi on PATH (spawned with arguments)', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-fake-smi-'));
    const args = path.join(bin, 'args.txt');
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${args}'\necho "42, 2048, 8192, 100.0, 200.0"\n`, { mode: 0o755 });
    const nvidiaSmi = findNvidiaSmi(`${bin}${path.delimiter}${process.env.PATH}`);
    assert.equal(nvidiaSmi, path.join(bin, 'nvidia-smi'));
    const samples: Record<string, number>[] = [];
    const steps: number[] = [];
    let sampler: ReturnType<typeof startSampler> | undefined;
    // The sampler's timer is unref'd (it keeps no process alive), so the test holds the event loop itself.
    const hold = setInterval(() => undefined, 1000);
    await new Promise<void>((resolve) => {
      sampler = startSampler((m, step) => {
        samples.push({ ...m });
        steps.push(step);
        if (samples.length === 2) resolve();
      }, { intervalMs: 200, nvidiaSmi });
    });
    sampler?.stop();
    clearInterval(hold);
    assert.deepEqual(steps, [0, 1]);
    const s = samples[1];
    for (const key of ['cpu_utilization_percentage', 'system_memory_usage_megabytes', 'system_memory_usage_percentage', 'disk_usage_percentage',
      'disk_available_megabytes', 'network_receive_megabytes', 'network_transmit_megabytes', 'disk_read_megabytes', 'disk_write_megabytes',
      'process_cpu_percentage', 'process_memory_rss_megabytes', 'process_heap_used_megabytes', 'event_loop_lag_milliseconds', 'event_loop_lag_max_milliseconds']) {
      assert.equal(typeof s[`system/${key}`], 'number', key);
    }
    assert.ok(s['system/process_memory_rss_megabytes'] > 10, 'RSS in MB');
    assert.ok(s['system/cpu_utilization_percentage'] >= 0 && s['system/cpu_utilization_percentage'] <= 100);
    assert.equal(s['system/gpu_0_utilization_percentage'], 42);
    assert.equal(s['system/gpu_0_memory_usage_percentage'], 25);
    assert.deepEqual(fs.readFileSync(args, 'utf8').trim().split('\n'), ['--query-gpu=utilization.gpu,memory.used,memory.total,power.draw,power.limit', '--format=csv,noheader,nounits']);
  });

  it('a loop that never yields gets its samples when the run ends, each with how long the loop had been held', () => {
    const samples: { lag: number | undefined; timestamp: number }[] = [];
    const started = Date.now();
    const sampler = startSampler((m, _step, timestamp) => {
      samples.push({ lag: m['system/event_loop_lag_milliseconds'], timestamp });
    }, { intervalMs: 100, nvidiaSmi: false });
    // Synchronous work, as a training loop that never awaits: no timer fires and no message is delivered.
    while (Date.now() - started < 2000) Math.sqrt(Math.random());
    assert.equal(samples.length, 0, 'nothing is delivered while the loop is held');
    sampler.stop();
    assert.ok(samples.length > 0, 'the worker sampled during the 2 s');
    for (const { lag, timestamp } of samples) {
      const held = timestamp - started;
      if (held <= 50) continue;
      assert.ok(lag !== undefined && lag > 0 && lag <= held, `lag ${lag} ms for a sample ${held} ms into a held loop`);
    }
    const last = samples[samples.length - 1]!;
    assert.ok((last.lag ?? 0) >= last.timestamp - started - 100, `the last sample says the loop was held: ${JSON.stringify(last)}`);
  });

  it('startRun({ systemMetrics }) logs system/* on the run, leaves its step counter alone, and stops when it ends', async () => {
    const run = tl.startRun({ systemMetrics: { intervalMs: 150, nvidiaSmi: false } as never });
    await twoSamples(run.id);
    tl.log({ loss: 1 });
    tl.log({ loss: 0.5 });
    await run.end();
    const stored = await getClient().getRun(run.id);
    assert.deepEqual([stored.data.metrics.loss?.count, stored.data.metrics.loss?.lastStep], [2, 1], 'the run counts its own steps from 0');
    const count = stored.data.metrics['system/process_cpu_percentage']?.count ?? 0;
    assert.ok(count >= 2);
    // After end() nothing more is logged: a sample in flight sees the run ended.
    await getClient().flush();
    assert.equal((await getClient().getRun(run.id)).data.metrics['system/process_cpu_percentage']?.count, count);
  });

  it('autolog({ systemMetrics }) samples every run that does not say; autolog({ disable }) stops that', async () => {
    try {
      autolog({ systemMetrics: { intervalMs: 150, nvidiaSmi: false }, tfjs: false, liveCard: false });
      const run = tl.startRun();
      await twoSamples(run.id);
      await run.end();
      const quiet = tl.startRun({ systemMetrics: false });
      assert.equal(quiet.running, true);
      await quiet.end();
      assert.equal((await getClient().getRun(quiet.id)).data.metrics['system/process_cpu_percentage'], undefined, 'a run that says false is not sampled');
    } finally {
      autolog({ disable: true });
    }
    assert.equal(systemMetricsFor(undefined), undefined);
  });

  it('TRACKLAB_SYSTEM_METRICS=1 samples every run at TRACKLAB_SYSTEM_METRICS_INTERVAL seconds; autolog({ systemMetrics: false }) overrides it', async () => {
    const saved = { on: process.env.TRACKLAB_SYSTEM_METRICS, interval: process.env.TRACKLAB_SYSTEM_METRICS_INTERVAL };
    process.env.TRACKLAB_SYSTEM_METRICS = '1';
    process.env.TRACKLAB_SYSTEM_METRICS_INTERVAL = '0.15';
    try {
      assert.deepEqual(systemMetricsFor(undefined), { intervalMs: 150 });
      assert.deepEqual(systemMetricsFor(true), { intervalMs: 150 });
      assert.deepEqual(systemMetricsFor({ intervalMs: 2000 }), { intervalMs: 2000 }, 'the option wins over the environment');
      const run = tl.startRun();
      await twoSamples(run.id);
      await run.end();
      autolog({ systemMetrics: false, tfjs: false, liveCard: false });
      assert.equal(systemMetricsFor(undefined), undefined);
    } finally {
      autolog({ disable: true });
      for (const [name, value] of [['TRACKLAB_SYSTEM_METRICS', saved.on], ['TRACKLAB_SYSTEM_METRICS_INTERVAL', saved.interval]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    assert.equal(systemMetricsFor(undefined), undefined);
  });

  it('refuses a bad option', () => {
    assert.throws(() => tl.startRun({ systemMetrics: { intervalMs: 5 } }), /intervalMs must be a number of milliseconds >= 100/);
  });
});

describe('a real process training for 30 s with systemMetrics: true (default 10 s interval)', () => {
  it('has system metrics on its run', { timeout: 240_000 }, async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-sysm-child-'));
    const script = path.join(__dirname, 'fixtures', `train-30s${path.extname(__filename)}`);
    const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
    const child = spawn(process.execPath, [...nodeArgs, '30'], { env: { ...process.env, TRACKLAB_HOME: home, TRACKLAB_SYSTEM_METRICS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, err);
    const runId = /RUN (\S+)/.exec(out)?.[1];
    assert.ok(runId && /DONE \d+/.test(out), out);
    const client = getClient(home);
    const run = await client.getRun(runId);
    assert.equal(run.info.status, 'FINISHED');
    const system = Object.keys(run.data.metrics).filter((k) => k.startsWith('system/'));
    for (const key of ['system/cpu_utilization_percentage', 'system/process_cpu_percentage', 'system/process_memory_rss_megabytes',
      'system/process_heap_used_megabytes', 'system/event_loop_lag_milliseconds', 'system/network_receive_megabytes', 'system/disk_read_megabytes']) {
      assert.ok(system.includes(key), `${key} in ${system.join(', ')}`);
    }
    // samples at 10 s and 20 s at least (the third may fall after the end)
    const samples = run.data.metrics['system/process_cpu_percentage'];
    assert.ok((samples?.count ?? 0) >= 2, `samples: ${samples?.count}`);
    // a training process is busy (at a load average of 10 on 2 cores it still gets about 20 % of one)
    assert.ok((samples?.last ?? 0) > 5, `a training process is busy: ${samples?.last}% CPU`);
    await client.close();
  });
});
