import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracklabError } from '../errors';

/** The five channels of a Jupyter kernel connection file. */
export interface ConnectionInfo {
  readonly ip: '127.0.0.1';
  readonly transport: 'tcp';
  readonly signature_scheme: 'hmac-sha256';
  readonly key: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly kernel_name: 'tslab';
}

export interface LaunchedKernel {
  readonly child: ChildProcess;
  readonly info: ConnectionInfo;
  /** The 0600 connection file, in a private temp dir that `cleanup` removes. */
  readonly file: string;
  cleanup(): void;
}

/** Where this package's tslab lives; the kernel must be the one we ship with. */
export function tslabPackageDir(): string {
  return path.dirname(require.resolve('tslab/package.json'));
}

/** The `tslab` command script, run with this Node (`process.execPath`) so PATH does not matter. */
export function tslabBinPath(): string {
  return path.join(tslabPackageDir(), 'bin', 'tslab');
}

/** `node --require` this into a tslab kernel: it mends the kernel's sockets before tslab uses them (notebook/kernel-sockets.ts). */
export function kernelPreloadPath(): string {
  return path.join(__dirname, '..', 'notebook', 'kernel-preload.js');
}

/**
 * Picks `count` distinct free loopback ports outside the OS's ephemeral range
 * (see kernelPortRange), where outgoing connections (ours to other kernels
 * included) never take them. Each is checked by listening on it, and all listeners stay open
 * until every port is known; ports handed out recently in this process are
 * not reused, so parallel launches cannot collide. The window between close
 * and the kernel's bind is the one Jupyter has; startKernel retries when
 * another process wins it.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const [low, high] = kernelPortRange();
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > 200) throw new TracklabError('INVALID_STATE', `Found no free loopback port between ${low} and ${high} for the kernel. Close some programs, or retry.`);
      const port = low + Math.floor(Math.random() * (high - low));
      if (recentPorts.has(port)) continue;
      const server = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (!ok) continue;
      servers.push(server);
      ports.push(port);
    }
    for (const port of ports) rememberPort(port);
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

const recentPorts = new Set<number>();
const RECENT_PORTS = 1000;

function rememberPort(port: number): void {
  recentPorts.add(port);
  if (recentPorts.size > RECENT_PORTS) recentPorts.delete(recentPorts.values().next().value as number);
}

/** Linux's ephemeral port range (`ip_local_port_range`), or its default where it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! <= high!) return [low!, high!];
  } catch {
    // not Linux: keep the default
  }
  return [32768, 60999];
}

/** Kernels bind ports at or above this, clear of well-known and registered service ports below it. */
const LOWEST_KERNEL_PORT = 20000;
/** Fewer free ports than this outside the ephemeral range and kernels share it with outgoing connections instead. */
const MIN_KERNEL_PORTS = 1000;

/**
 * Where kernel ports come from, given the ephemeral range `[low, high]`: the
 * larger of the windows below it (from 20000) and above it (to 65535),
 * clear of the ports the OS hands to outgoing connections. When neither
 * window has 1000 ports (the ephemeral range covers nearly everything), the
 * whole range from 20000 up, where a clash is rare and startKernel retries.
 * Returns [first, end), end excluded.
 */
export function kernelPortRange([low, high]: readonly [number, number] = ephemeralRange()): [number, number] {
  const below: [number, number] = [LOWEST_KERNEL_PORT, Math.max(LOWEST_KERNEL_PORT, low)];
  const above: [number, number] = [Math.max(LOWEST_KERNEL_PORT, high + 1), 65536];
  const best = below[1] - below[0] >= above[1] - above[0] ? below : above;
  return best[1] - best[0] >= MIN_KERNEL_PORTS ? best : [LOWEST_KERNEL_PORT, 65536];
}

export interface LaunchOptions {
  /** Working directory of the kernel (the notebook's folder). */
  readonly cwd: string;
  /** Added to (and overriding) this process's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Writes a 0600 connection file in a private temp dir and spawns `tslab kernel`. */
export async function launchKernel(options: LaunchOptions): Promise<LaunchedKernel> {
  if (!fs.existsSync(options.cwd) || !fs.statSync(options.cwd).isDirectory()) {
    throw new TracklabError(
      'INVALID_PARAMETER_VALUE',
      `Kernel working directory ${JSON.stringify(options.cwd)} is not a directory. Pass the notebook's folder as cwd.`,
    );
  }
  const [shell, iopub, stdin, control, hb] = await freeLoopbackPorts(5);
  const info: ConnectionInfo = {
    ip: '127.0.0.1',
    transport: 'tcp',
    signature_scheme: 'hmac-sha256',
    key: randomBytes(32).toString('hex'),
    shell_port: shell!,
    iopub_port: iopub!,
    stdin_port: stdin!,
    control_port: control!,
    hb_port: hb!,
    kernel_name: 'tslab',
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-kernel-'));
  const file = path.join(dir, 'connection.json');
  fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  const env = Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter((e): e is [string, string] => e[1] !== undefined));
  const child = spawn(process.execPath, ['--require', kernelPreloadPath(), tslabBinPath(), 'kernel', '--config-path', file], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let cleaned = false;
  return {
    child,
    info,
    file,
    cleanup() {
      if (cleaned) return;
      cleaned = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
