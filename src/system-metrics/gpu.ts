/**
 * GPU utilisation and memory through `nvidia-smi`, when it is on PATH:
 * spawned with an argument array (never a shell string) and a time limit,
 * its CSV parsed per GPU. Without nvidia-smi there are no GPU metrics.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GpuSample {
  readonly utilization: number;
  readonly memoryUsedMb: number;
  readonly memoryTotalMb: number;
  readonly powerWatts: number;
  readonly powerLimitWatts: number;
}

export const NVIDIA_SMI_ARGS = ['--query-gpu=utilization.gpu,memory.used,memory.total,power.draw,power.limit', '--format=csv,noheader,nounits'] as const;
const TIMEOUT_MS = 5000;

/** The first nvidia-smi on PATH, or undefined. */
export function findNvidiaSmi(envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, 'nvidia-smi');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** One line per GPU: "37, 1024, 16384, 45.2, 250.0"; "[N/A]" fields become NaN. */
export function parseNvidiaSmi(csv: string): GpuSample[] {
  return csv.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line) => {
    const [utilization, used, total, power, limit] = line.split(',').map((f) => Number(f.trim()));
    return { utilization, memoryUsedMb: used, memoryTotalMb: total, powerWatts: power, powerLimitWatts: limit };
  });
}

/** Runs nvidia-smi once; undefined when it fails or takes longer than 5 s. */
export function queryGpus(nvidiaSmi: string): Promise<GpuSample[] | undefined> {
  return new Promise((resolve) => {
    const child = execFile(nvidiaSmi, [...NVIDIA_SMI_ARGS], { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : parseNvidiaSmi(stdout));
    });
    // A sample never keeps the process alive.
    child.unref();
  });
}

/** MLflow's GPU metric names (system/gpu_<i>_...). */
export function gpuMetrics(samples: readonly GpuSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  samples.forEach((g, i) => {
    const put = (name: string, v: number) => { if (Number.isFinite(v)) out[`gpu_${i}_${name}`] = v; };
    put('utilization_percentage', g.utilization);
    put('memory_usage_megabytes', g.memoryUsedMb);
    put('memory_usage_percentage', (g.memoryUsedMb / g.memoryTotalMb) * 100);
    put('power_usage_watts', g.powerWatts);
    put('power_usage_percentage', (g.powerWatts / g.powerLimitWatts) * 100);
  });
  return out;
}
