/**
 * The layer rules of ../shared/DESIGN.md that can be read off the source:
 * no import circles in src/, each driver (better-sqlite3, pg) and the tslab
 * kernel's internals known in one folder, callers above the client never
 * reaching into `client.store`, and the environment names read through
 * src/env-names.ts. Imports are read with TypeScript's own preprocessor
 * (import, import type, export from, require and import()).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/jupyter';

const SRC = path.join(repoRoot(), 'src');

/** Every non-test .ts file of src/, as paths relative to the repository. */
function sourceFiles(dir = SRC, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const rel = (file: string): string => path.relative(repoRoot(), file).split(path.sep).join('/');

/** The module specifiers a file names (import, import type, export from, require, import()). */
function specifiers(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier resolved to a source file of src/, if it names one. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

/** Strongly connected components of more than one file (or a file importing itself), by Tarjan's algorithm. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('src/ has no import circles, type-only imports included', () => {
  const files = sourceFiles();
  assert.ok(files.length > 100, `read ${files.length} source files`);
  const graph = new Map(files.map((f) => [rel(f), specifiers(f).flatMap((s) => {
    const target = resolveLocal(f, s);
    return target === undefined ? [] : [rel(target)];
  })] as const));
  assert.deepEqual(circles(graph), []);
});

test('the circle finder finds a circle (the check above can fail)', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(circles(graph), [['a', 'b', 'c']]);
});

/** The files of src/ whose imports name a module matching `pattern`. */
function importersOf(pattern: RegExp): string[] {
  return sourceFiles().filter((f) => specifiers(f).some((s) => pattern.test(s))).map(rel).sort();
}

test('better-sqlite3 is imported only in src/store/sqlite/, pg only in src/store/postgres/', () => {
  const sqlite = importersOf(/^better-sqlite3$/);
  assert.ok(sqlite.length > 0);
  assert.deepEqual(sqlite.filter((f) => !f.startsWith('src/store/sqlite/')), []);
  const postgres = importersOf(/^(pg|pg-copy-streams|postgres)(\/|$)/);
  assert.deepEqual(postgres, ['src/store/postgres/connection.ts']);
});

test('models/ sits below the client: it never imports or requires the tracking layer (tracking/, config)', () => {
  const upward = sourceFiles()
    .filter((f) => rel(f).startsWith('src/models/'))
    .flatMap((f) => specifiers(f).filter((s) => /^\.\.\/(tracking(\/|$)|config$)/.test(s)).map((s) => `${rel(f)} -> ${s}`));
  assert.deepEqual(upward, []);
});

test('the tslab kernel\'s internals (__tslab__, its jupyter module) are read only in src/notebook/', () => {
  const readers = sourceFiles().filter((f) => /__tslab__|lastWriteDisplayData|handleExecuteImpl/.test(fs.readFileSync(f, 'utf8'))).map(rel);
  assert.ok(readers.length > 0);
  assert.deepEqual(readers.filter((f) => !f.startsWith('src/notebook/')), []);
});

test('callers above the client use its methods, never client.store', () => {
  const above = ['show', 'views', 'charts', 'cli', 'notebook', 'projects', 'datasets', 'models', 'autolog', 'serving', 'registry'];
  const reaching = sourceFiles()
    .filter((f) => above.includes(rel(f).split('/')[1]!) || /^src\/(index|config)\.ts$/.test(rel(f)))
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((line, i) => ({ file: rel(f), line: i + 1, text: line })))
    // `this.store` inside a class of its own (the artifact repository) and `options.store` given in are not the client's.
    .filter(({ text }) => /(?<!this|options)\.store\b(?!\s*[:?]?=)/.test(text) && !/^\s*(\*|\/\/)/.test(text));
  assert.deepEqual(reaching, []);
});

test('tracklab\'s environment variables are read and set through src/env-names.ts only', () => {
  const direct = sourceFiles()
    .filter((f) => rel(f) !== 'src/env-names.ts')
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((line, i) => ({ file: rel(f), line: i + 1, text: line })))
    .filter(({ text }) => /\benv(\.|\[\s*['"`])TRACKLAB_|['"`]?TRACKLAB_[A-Z_]+['"`]?\s*\]/.test(text) && !/^\s*(\*|\/\/)/.test(text));
  assert.deepEqual(direct, []);
  // The projects runner sets them for its kernels and scripts: not one name of its own.
  const runnerNames = sourceFiles(path.join(SRC, 'projects'))
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line))
      .flatMap((line) => [...line.matchAll(/['"`](TRACKLAB_[A-Z_]+)/g)].map((m) => `${rel(f)}: ${m[1]}`)));
  assert.deepEqual(runnerNames, []);
});

test('only the client core reads store capabilities: ActiveRun, operations and views never branch on them', () => {
  // The core is client-core.ts with its run state; worker-store.ts is a store (it declares its own capabilities),
  // and store-worker-thread.ts is that store's other half, which makes good what its backend lacks.
  const core = ['src/tracking/client-core.ts', 'src/tracking/run-state.ts', 'src/tracking/worker-store.ts', 'src/tracking/store-worker-thread.ts'];
  const readers = sourceFiles()
    .filter((f) => !rel(f).startsWith('src/store/') && !core.includes(rel(f)))
    .filter((f) => /\.capabilities\b|resolveExperimentSync|synchronousWrites/.test(fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*\*)/.test(l)).join('\n')))
    .map(rel);
  assert.deepEqual(readers, []);
});
