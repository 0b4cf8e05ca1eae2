/** Collects bench figures, prints them beside their baselines, writes bench/results.json. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same work done the plain way in this run, for a ratio that survives slow machines. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** The target: `value` must be `<=` or `>=` it. */
  readonly target?: { readonly op: '<=' | '>='; readonly value: number };
  readonly note?: string;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

export class Report {
  private readonly figures: (Figure & { readonly load: string })[] = [];

  /** Prints the figure with the load average it was measured under (other helpers share these cores). */
  add(figure: Figure): void {
    const load = loadAverage();
    this.figures.push({ ...figure, load });
    console.log(`${formatFigure(figure)}  [load average ${load}]`);
  }

  write(file: string): { failed: number } {
    const rows = this.figures.map((f) => ({ ...f, ratio: ratio(f), met: met(f) }));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30) },
      figures: rows,
    }, null, 2) + '\n');
    return { failed: rows.filter((r) => r.met === false).length };
  }
}

function ratio(f: Figure): number | null {
  return f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : null;
}

function met(f: Figure): boolean | null {
  if (!f.target) return null;
  return f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function formatFigure(f: Figure): string {
  const verdict = met(f);
  const mark = verdict === null ? ' ' : verdict ? '✔' : '✘';
  const target = f.target ? ` (target ${f.target.op} ${fmt(f.target.value)})` : '';
  const base = f.baseline ? `  | baseline ${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}, ratio ${fmt(ratio(f) ?? NaN)}x` : '';
  const note = f.note ? `  — ${f.note}` : '';
  return `${mark} ${f.name}: ${fmt(f.value)} ${f.unit}${target}${base}${note}`;
}

/** Median wall time of `fn` over `runs` runs, in milliseconds. */
export async function medianMs(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tracklab-bench-${label}-`));
}
