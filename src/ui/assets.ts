/**
 * Static assets, all from the package: the Vega builds from node_modules,
 * the UI's compiled browser modules from dist/ui-browser, and the style
 * sheet. Nothing is fetched from a CDN. Files are read once and kept
 * gzipped in memory (vega.min.js is 520 KB raw, about 150 KB gzipped).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './security';
import { UI_CSS } from './styles';

interface Asset {
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly type: string;
}

const VENDOR: Readonly<Record<string, readonly [string, string]>> = {
  'vega.min.js': ['vega', 'vega.min.js'],
  'vega-lite.min.js': ['vega-lite', 'vega-lite.min.js'],
  'vega-embed.min.js': ['vega-embed', 'vega-embed.min.js'],
};

/**
 * vega-interpreter (Vega's CSP-safe expression evaluator) is an ES module
 * importing three helpers from 'vega-util'; the browser has no bare-name
 * resolution, so that import is pointed at vega-util's own ES build files,
 * served beside it.
 */
function interpreterModule(): Buffer {
  const file = path.join(packageDir('vega-interpreter'), 'build', 'vega-interpreter.js');
  const source = fs.readFileSync(file, 'utf8');
  const exact = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';";
  const rewritten = source.includes(exact)
    ? source.replace(exact, "import { ascending } from './vega-util/compare.js';\nimport isString from './vega-util/isString.js';\nimport { DisallowedObjectProperties } from './vega-util/interpreter.js';")
    : source.replace(/from 'vega-util'/g, "from './vega-util/index.js'");
  return Buffer.from(rewritten, 'utf8');
}

/** A package's folder as Node would find it from `from` (its package.json is not always exported, so no require.resolve). */
function packageDir(name: string, from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (run npm ci)`);
  }
}

function vegaUtilFile(name: string): Buffer | null {
  const dir = path.join(packageDir('vega-util', packageDir('vega-interpreter')), 'build');
  const file = path.join(dir, name);
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

/** Where `npm run build` puts the compiled browser modules. */
export const BROWSER_DIR = path.join(__dirname, '..', '..', 'ui-browser');

const cache = new Map<string, Asset>();

function load(name: string): Asset | null {
  const cached = cache.get(name);
  if (cached) return cached;
  let asset: Asset | null = null;
  if (name === 'ui.css') {
    asset = make(Buffer.from(UI_CSS, 'utf8'), 'text/css; charset=utf-8');
  } else if (name.startsWith('vendor/') && Object.prototype.hasOwnProperty.call(VENDOR, name.slice(7))) {
    const [pkg, file] = VENDOR[name.slice(7)];
    asset = make(fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file)), 'text/javascript; charset=utf-8');
  } else if (name === 'vendor/vega-interpreter.js') {
    asset = make(interpreterModule(), 'text/javascript; charset=utf-8');
  } else if (/^vendor\/vega-util\/[A-Za-z]+\.js$/.test(name)) {
    const body = vegaUtilFile(name.slice('vendor/vega-util/'.length));
    asset = body ? make(body, 'text/javascript; charset=utf-8') : null;
  } else if (/^ui\/[a-z-]+\.js$/.test(name)) {
    const file = path.join(BROWSER_DIR, name.slice(3));
    asset = fs.existsSync(file) ? make(fs.readFileSync(file), 'text/javascript; charset=utf-8') : null;
  }
  // Only found assets are kept: every missing name is a new URL a client chooses, so caching misses would grow without bound.
  if (asset) cache.set(name, asset);
  return asset;
}

/** @internal How many assets are held in memory (a test checks misses are not). */
export function cachedAssetCount(): number {
  return cache.size;
}

function make(body: Buffer, type: string): Asset {
  return { body, gzipped: gzipSync(body, { level: 6 }), type };
}

/** Serves `/static/<name>`; false when there is no such asset. */
export function serveAsset(name: string, req: IncomingMessage, res: ServerResponse): boolean {
  const asset = load(name);
  if (!asset) return false;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped : asset.body;
  res.writeHead(200, {
    ...securityHeaders(),
    'content-type': asset.type,
    'content-length': body.length,
    'cache-control': 'public, max-age=3600',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
