/**
 * Machine counters from Linux's /proc, parsed from text (pure functions, so
 * tests feed them fixtures). Elsewhere the files are missing and the sampler
 * leaves these metrics out.
 */

export interface CpuTimes {
  /** Jiffies spent busy (everything but idle and iowait) and in total. */
  readonly busy: number;
  readonly total: number;
}

/** The aggregate "cpu" line of /proc/stat. */
export function parseCpuTimes(stat: string): CpuTimes | undefined {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are already in user/nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const idleAll = idle + iowait;
  const total = user + nice + system + idleAll + irq + softirq + steal;
  return { busy: total - idleAll, total };
}

/** Used and total memory from /proc/meminfo (used = MemTotal - MemAvailable), in bytes. */
export function parseMemInfo(meminfo: string): { used: number; total: number } | undefined {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(meminfo);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total === undefined || available === undefined ? undefined : { used: total - available, total };
}

/** Bytes received and sent on every interface but loopback, from /proc/net/dev. */
export function parseNetDev(netdev: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of netdev.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] || 0;
    tx += f[8] || 0;
  }
  return { rx, tx };
}

// Whole disks only: partitions would count the same bytes twice.
const DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

/** Bytes read and written by whole disks, from /proc/diskstats (sectors of 512 bytes). */
export function parseDiskStats(diskstats: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of diskstats.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !DISK.test(f[2])) continue;
    read += Number(f[5]) * 512;
    written += Number(f[9]) * 512;
  }
  return { read, written };
}
