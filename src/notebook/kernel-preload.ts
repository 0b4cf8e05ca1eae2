/**
 * Loaded with `node --require` into every tslab kernel tracklab starts (the
 * native engine, the nbclient engine's kernelspec), so its sockets are
 * mended (kernel-sockets.ts) before tslab binds them. In a kernel started
 * otherwise, loading tracklab mends them (kernel-host.ts), from that cell on.
 */
import * as path from 'node:path';
import { mendZeromq } from './kernel-sockets';

const tslabDir = path.dirname(require.resolve('tslab/package.json'));
mendZeromq(require(require.resolve('zeromq', { paths: [tslabDir] })));
