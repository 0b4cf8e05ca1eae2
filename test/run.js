#!/usr/bin/env node
// Runs every compiled test file under dist/ with Node's test runner.
// Unit tests sit beside the code (src/**/*.test.ts); end-to-end ones in test/.
//
// tsc never deletes outputs, so a test that was renamed or deleted would keep
// running from dist/. `npm test` empties dist/ before it builds; for the quick
// `npm run build && node test/run.js ...` loop, a compiled test whose .ts
// source is gone is skipped here, with a note.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..');
const root = path.join(repo, 'dist');
const only = process.argv.slice(2);

function collect(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

/** The .ts file tsc compiled `compiled` from: dist/<rel>.test.js <- <rel>.test.ts. */
function sourceOf(compiled) {
  return path.join(repo, path.relative(root, compiled)).replace(/\.js$/, '.ts');
}

if (!fs.existsSync(root)) {
  console.error('no dist/ folder (did the build run? try npm run build)');
  process.exit(1);
}
const compiled = collect(root, []).sort();
const stale = compiled.filter((f) => !fs.existsSync(sourceOf(f)));
for (const f of stale) {
  console.error(`skipping ${path.relative(repo, f)}: its source ${path.relative(repo, sourceOf(f))} is gone (npm test empties dist/ first)`);
}
let files = compiled.filter((f) => !stale.includes(f));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
