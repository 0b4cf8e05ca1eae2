// Static assets: a missing name a client makes up is answered 404 and never
// kept in memory (one cache entry per made-up URL grew the server without bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cachedAssetCount, serveAsset } from './assets';

function fakeRes(): ServerResponse & { status?: number } {
  const res = { writeHead(status: number) { res.status = status; return res; }, end() { return res; } } as unknown as ServerResponse & { status?: number };
  return res;
}
const req = { method: 'GET', headers: {} } as IncomingMessage;

test('missing assets are not cached, found ones are', () => {
  const before = cachedAssetCount();
  for (let i = 0; i < 200; i++) {
    for (const name of [`nope-${i}`, `ui/nope-${'x'.repeat(i)}.js`, `vendor/vega-util/Nope${'x'.repeat(i)}.js`, `vendor/__proto__${i}`]) {
      assert.equal(serveAsset(name, req, fakeRes()), false, name);
    }
  }
  assert.equal(cachedAssetCount(), before);
  const res = fakeRes();
  assert.equal(serveAsset('ui.css', req, res), true);
  assert.equal(res.status, 200);
  assert.equal(serveAsset('ui.css', req, fakeRes()), true);
  assert.equal(cachedAssetCount(), before + 1);
});
