#!/usr/bin/env node
// Loads the machine to reproduce timing flakes: `node test/support/busy-load.js N SECONDS`
// runs N busy-looping processes for SECONDS (default 8 for 300 s), then exits.
'use strict';
const { fork } = require('node:child_process');

if (process.argv[2] === '--child') {
  const until = Date.now() + Number(process.argv[3]) * 1000;
  while (Date.now() < until) { /* spin */ }
  process.exit(0);
}
const n = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 300);
const children = Array.from({ length: n }, () => fork(__filename, ['--child', String(seconds)]));
const stop = () => { for (const c of children) c.kill(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
let left = n;
for (const c of children) c.on('exit', () => { if (--left === 0) process.exit(0); });
