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
  // vega-embed's UMD build carries vega-interpreter, used with `ast: true` (no eval, CSP-safe).
  'vega-embed.min.js': ['vega-embed', 'vega-embed.min.js'],
};

/** Where `npm run build` puts the compiled browser modules. */
export const BROWSER_DIR = path.join(__dirname, '..', '..', 'ui-browser');

const cache = new Map<string, Asset | null>();

function load(name: string): Asset | null {
  if (cache.has(name)) return cache.get(name) ?? null;
  let asset: Asset | null = null;
  if (name === 'ui.css') {
    asset = make(Buffer.from(UI_CSS, 'utf8'), 'text/css; charset=utf-8');
  } else if (name.startsWith('vendor/') && Object.prototype.hasOwnProperty.call(VENDOR, name.slice(7))) {
    const [pkg, file] = VENDOR[name.slice(7)];
    asset = make(fs.readFileSync(path.join(path.dirname(require.resolve(pkg)), file)), 'text/javascript; charset=utf-8');
  } else if (/^ui\/[a-z-]+\.js$/.test(name)) {
    const file = path.join(BROWSER_DIR, name.slice(3));
    asset = fs.existsSync(file) ? make(fs.readFileSync(file), 'text/javascript; charset=utf-8') : null;
  }
  cache.set(name, asset);
  return asset;
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
