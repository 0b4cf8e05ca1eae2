import { TracklabError } from '../errors';
import type { VegaLiteSpec } from './series';

// vega and vega-lite are ESM with top-level await; a CommonJS build can only
// reach them through import(), which Node16 module mode keeps as is.
// Only the few calls used here are typed, by hand, so emitted declarations
// never reference vega's own types.
interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  View: new (runtime: unknown, options: Record<string, unknown>) => VegaView;
  parse(spec: unknown): unknown;
  loader(): Record<string, unknown>;
  readonly Warn: number;
}
interface VegaLiteModule {
  compile(spec: unknown, options: { logger: unknown }): { spec: unknown };
}

let modules: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

/** Loads vega and vega-lite once per process (about 200 ms the first time). */
function loadVega(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vl]) => ({ vega: vega as unknown as VegaModule, vl: vl as unknown as VegaLiteModule }),
    (cause: unknown) => {
      modules = undefined;
      throw new TracklabError('INTERNAL_ERROR', 'Could not load vega/vega-lite to render charts. Check that both packages are installed.', { cause });
    },
  );
  return modules;
}

/**
 * How a spec is checked: tracklab's own charts fail on any warning (a
 * warning there is a bug); a user's spec (logFigure) may warn, and a spec
 * that does not compile is the user's error, not an internal one.
 */
export interface RenderOptions {
  readonly userSpec?: boolean;
}

/** Compiles a Vega-Lite spec to Vega, failing on any vega-lite warning (unless `userSpec`). */
export async function compileVegaLite(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<Record<string, unknown>> {
  const { vl } = await loadVega();
  const warnings: string[] = [];
  const logger = recordingLogger(warnings);
  let compiled: { spec: unknown };
  try {
    compiled = vl.compile(spec, { logger });
  } catch (cause) {
    if (options.userSpec) throw new TracklabError('INVALID_PARAMETER_VALUE', `Vega-Lite cannot compile the figure: ${cause instanceof Error ? cause.message : String(cause)}. Check the spec against the Vega-Lite v5 docs.`, { cause });
    throw new TracklabError('INTERNAL_ERROR', `Vega-Lite could not compile a tracklab chart: ${String(cause)}. This is a tracklab bug; please report it.`, { cause });
  }
  if (warnings.length > 0 && !options.userSpec) {
    throw new TracklabError('INTERNAL_ERROR', `Vega-Lite warned while compiling a tracklab chart: ${warnings.join('; ')}. This is a tracklab bug; please report it.`);
  }
  return compiled.spec as Record<string, unknown>;
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node, with no
 * network or file access (the loader refuses everything; charts carry their
 * data inline). Throws on any warning from vega-lite or the vega runtime.
 *
 * @example
 * const svg = await renderSvg(lineChartSpec('loss', series));
 */
export async function renderSvg(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<string> {
  const { vega } = await loadVega();
  const vgSpec = await compileVegaLite(spec, options);
  const warnings: string[] = [];
  const view = new vega.View(vega.parse(vgSpec), {
    renderer: 'none',
    loader: refusingLoader(vega),
    logger: recordingLogger(warnings),
    logLevel: vega.Warn,
  });
  try {
    const svg = await view.toSVG();
    if (warnings.length > 0 && !options.userSpec) {
      throw new TracklabError('INTERNAL_ERROR', `Vega warned while rendering a tracklab chart: ${warnings.join('; ')}. This is a tracklab bug; please report it.`);
    }
    return roundPaths(svg);
  } finally {
    view.finalize();
  }
}

function refusingLoader(vega: VegaModule): Record<string, unknown> {
  const refuse = (uri: unknown) =>
    Promise.reject(new TracklabError('BAD_REQUEST', `Chart tried to load "${String(uri)}"; tracklab charts use inline data only.`));
  const base = vega.loader();
  return { ...base, load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

interface RecordingLogger {
  level(level?: number): number | RecordingLogger;
  error(...args: readonly unknown[]): RecordingLogger;
  warn(...args: readonly unknown[]): RecordingLogger;
  info(...args: readonly unknown[]): RecordingLogger;
  debug(...args: readonly unknown[]): RecordingLogger;
}

function recordingLogger(into: string[]): RecordingLogger {
  let current = 2;
  const logger: RecordingLogger = {
    level(level?: number) {
      if (level === undefined) return current;
      current = level;
      return logger;
    },
    error(...args) {
      into.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args) {
      into.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * Vega writes path coordinates with three decimals; one is finer than a
 * screen pixel and cuts a long line's SVG by about a third.
 */
function roundPaths(svg: string): string {
  return svg.replace(/ d="([^"]*)"/g, (_m, d: string) => ` d="${d.replace(/(-?\d+)\.(\d)\d+/g, (_n, int: string, dec: string) => `${int}.${dec}`)}"`);
}
