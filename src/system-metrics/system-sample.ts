/**
 * One system sample, read where it runs (the sampler's worker thread):
 * /proc counters, the process's CPU time and resident memory (both
 * process-wide, so a worker sees the main thread's training), disk usage
 * and GPUs. Metric names follow MLflow's (mlflow/system_metrics/).
 */
import * as fs from 'node:fs';
import { gpuMetrics, queryGpus } from './gpu';
import { parseCpuTimes, parseDiskStats, parseMemInfo, parseNetDev, type CpuTimes } from './proc-stats';

export interface Counters {
  readonly at: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly machine?: CpuTimes;
  readonly net?: { rx: number; tx: number };
  readonly disk?: { read: number; written: number };
  readonly meminfo?: string;
}

const MB = 1e6;

// Synchronous on purpose: this runs in the sampler's own thread, where blocking costs nothing, and a /proc read
// through the libuv pool (open, fstat, reads, close: one hop each) cost several times the CPU.
function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readCounters(): Promise<Counters> {
  const [stat, netdev, diskstats, meminfo] = [read('/proc/stat'), read('/proc/net/dev'), read('/proc/diskstats'), read('/proc/meminfo')];
  return {
    at: performance.now(),
    cpu: process.cpuUsage(),
    machine: stat === undefined ? undefined : parseCpuTimes(stat),
    net: netdev === undefined ? undefined : parseNetDev(netdev),
    disk: diskstats === undefined ? undefined : parseDiskStats(diskstats),
    meminfo,
  };
}

/** The metrics between two readings (`start`: the first, for counts since the sampler started). Names without the system/ prefix. */
export async function sampleMetrics(start: Counters, last: Counters, now: Counters, nvidiaSmi: string | undefined): Promise<Record<string, number>> {
  const m: Record<string, number> = {};
  const put = (name: string, value: number | undefined, digits = 1) => {
    if (value !== undefined && Number.isFinite(value)) m[name] = Math.round(value * 10 ** digits) / 10 ** digits;
  };
  if (now.machine && last.machine && now.machine.total > last.machine.total) {
    put('cpu_utilization_percentage', ((now.machine.busy - last.machine.busy) / (now.machine.total - last.machine.total)) * 100);
  }
  const mem = now.meminfo === undefined ? undefined : parseMemInfo(now.meminfo);
  if (mem) {
    put('system_memory_usage_megabytes', mem.used / MB);
    put('system_memory_usage_percentage', (mem.used / mem.total) * 100);
  }
  let disk: fs.StatsFs | undefined;
  try {
    disk = fs.statfsSync('/');
  } catch {
    disk = undefined;
  }
  if (disk) {
    const free = disk.bavail * disk.bsize;
    const used = (disk.blocks - disk.bfree) * disk.bsize;
    put('disk_usage_percentage', (used / (used + free)) * 100);
    put('disk_usage_megabytes', used / MB);
    put('disk_available_megabytes', free / MB);
  }
  if (now.net && start.net) {
    put('network_receive_megabytes', (now.net.rx - start.net.rx) / MB, 3);
    put('network_transmit_megabytes', (now.net.tx - start.net.tx) / MB, 3);
  }
  if (now.disk && start.disk) {
    put('disk_read_megabytes', (now.disk.read - start.disk.read) / MB, 3);
    put('disk_write_megabytes', (now.disk.written - start.disk.written) / MB, 3);
  }
  const wallUs = (now.at - last.at) * 1000;
  const cpuUs = now.cpu.user + now.cpu.system - last.cpu.user - last.cpu.system;
  if (wallUs > 0) put('process_cpu_percentage', (cpuUs / wallUs) * 100);
  put('process_memory_rss_megabytes', process.memoryUsage.rss() / MB);
  const gpus = nvidiaSmi ? await queryGpus(nvidiaSmi) : undefined;
  if (gpus) for (const [k, v] of Object.entries(gpuMetrics(gpus))) put(k, v);
  return m;
}
