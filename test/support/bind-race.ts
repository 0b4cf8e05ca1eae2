/**
 * Injects, into the next tslab kernel started with `env`, the failure a
 * request causes when it reaches tslab while its sockets are still binding:
 * zeromq refuses the shell socket's read with EBUSY. `met()` says whether a
 * kernel met it (it is injected once).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function bindRaceInjection(): { readonly env: Record<string, string>; met(): boolean } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-bind-race-'));
  const marker = path.join(dir, 'not-met-yet');
  fs.writeFileSync(marker, '');
  const zeromq = require.resolve('zeromq', { paths: [path.dirname(require.resolve('tslab/package.json'))] });
  const inject = path.join(dir, 'inject.js');
  fs.writeFileSync(inject, `
const fs = require('node:fs');
const { Router } = require(${JSON.stringify(zeromq)});
const receive = Router.prototype.receive;
let shell;
// Socket.prototype.receive is read-only: assigning would silently do nothing.
Object.defineProperty(Router.prototype, 'receive', {
  value: function () {
    shell ??= this; // tslab starts the shell loop first
    if (this === shell && fs.existsSync(${JSON.stringify(marker)})) {
      fs.unlinkSync(${JSON.stringify(marker)});
      return Promise.reject(Object.assign(new Error('Socket is blocked by a bind or unbind operation'), { code: 'EBUSY', errno: 16 }));
    }
    return receive.call(this);
  },
});
`);
  return { env: { NODE_OPTIONS: `--require=${inject}` }, met: () => !fs.existsSync(marker) };
}
