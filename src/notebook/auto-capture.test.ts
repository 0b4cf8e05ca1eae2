import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { captureParams, CaptureLimits, importedNames, mutableNames } from './auto-capture';

describe('captureParams', () => {
  it('takes numbers, strings, booleans, small arrays and flattened plain objects', () => {
    const scope = {
      lr: 0.1, epochs: 20, optimizer: 'sgd', shuffle: true, layers: [64, 32],
      opt: { name: 'adam', betas: { b1: 0.9, b2: 0.999 } }, nan: Number.NaN,
    };
    assert.deepEqual(captureParams(scope), {
      lr: 0.1, epochs: 20, optimizer: 'sgd', shuffle: true, layers: '[64,32]',
      'opt.name': 'adam', 'opt.betas.b1': 0.9, 'opt.betas.b2': 0.999, nan: Number.NaN,
    });
  });

  it('never takes modules, functions, classes, instances, typed arrays or large values', () => {
    class Model { w = 1; }
    const scope = {
      fs, path: require('node:path') as unknown, esm: { __esModule: true, x: 1 },
      train: () => 1, Model, model: new Model(), weights: new Float64Array(4), when: new Date(0), table: new Map([[1, 2]]),
      big: Array.from({ length: CaptureLimits.maxArrayLength + 1 }, (_, i) => i),
      text: 'x'.repeat(CaptureLimits.maxStringLength + 1),
      deep: { a: { b: { c: { d: 1 } } } },
      mixed: { ok: 1, fn: () => 2 },
      nested: [[1, 2]], nothing: null, undef: undefined, id: 10n, sym: Symbol('s'),
      tsLastExpr: 3, _private: 4, keep: 5,
    };
    assert.deepEqual(captureParams(scope), { keep: 5 });
  });

  it('skips excluded names', () => {
    const scope = { lr: 0.1, epochs: 3, seed: 7 };
    assert.deepEqual(captureParams(scope, { exclude: new Set(['epochs']) }), { lr: 0.1, seed: 7 });
  });

  it('skips keys the store would reject and stops at the param cap', () => {
    assert.deepEqual(captureParams({ ok: 1, obj: { 'a/../b': 1, 'has space': 2 } }), { ok: 1, 'obj.has space': 2 });
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    assert.equal(Object.keys(captureParams(many)).length, CaptureLimits.maxParams);
  });

  it('takes settings, not data: short strings, arrays of up to 8 scalars, small config objects', () => {
    const scope = {
      LABELS: ['cat', 'dog', 'bird', 'fish', 'horse', 'frog', 'deer', 'ship', 'truck', 'plane'],
      TEMPLATES: { greet: 'Hello {name}', summary: `Summarise the following text in one paragraph: ${'{text} '.repeat(20)}` },
      SAMPLES: [[0.1, 0.2], [0.3, 0.4]],
      prompt: 'x'.repeat(101),
      layers: [784, 256, 128, 64, 32, 16, 10, 2],
      nine: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      classes: ['cat', 'dog'],
      name: 'y'.repeat(100),
      config: { lr: 0.1, betas: [0.9, 0.999], sched: { kind: 'cosine' } },
      wide: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])),
    };
    assert.deepEqual(captureParams(scope), {
      layers: '[784,256,128,64,32,16,10,2]', classes: '["cat","dog"]', name: 'y'.repeat(100),
      'config.lr': 0.1, 'config.betas': '[0.9,0.999]', 'config.sched.kind': 'cosine',
    });
  });

  it('skips an object keyed by numbers, however small: a lookup table is data, not a config', () => {
    // The digit bitmaps of notebooks/evaluate.ipynb: 4 leaves, each 8 strings of 8 characters, within every size limit.
    const TEMPLATES = {
      0: ['..####..', '.#....#.', '#......#', '#......#', '#......#', '#......#', '.#....#.', '..####..'],
      7: ['########', '......#.', '.....#..', '....#...', '...#....', '..#.....', '..#.....', '..#.....'],
    };
    const config = { lr: 0.1, lookup: { 1: 'a', 2: 'b' }, betas: { 1: 0.9, beta2: 0.999 } };
    assert.deepEqual(captureParams({ TEMPLATES, config, epochs: 3 }), { epochs: 3 });
    assert.deepEqual(captureParams({ opt: { lr: 0.1, betas: { 1: 0.9, beta2: 0.999 } } }), { 'opt.lr': 0.1, 'opt.betas.1': 0.9, 'opt.betas.beta2': 0.999 });
  });

  it('skips a plain object with too many leaves as a whole', () => {
    const wide = Object.fromEntries(Array.from({ length: CaptureLimits.maxObjectLeaves + 1 }, (_, i) => [`k${i}`, i]));
    assert.deepEqual(captureParams({ wide, lr: 1 }), { lr: 1 });
  });
});

describe('importedNames', () => {
  it('finds every name an import binds', () => {
    const source = [
      "import * as tracklab from 'tracklab';",
      "import fs, { join, resolve as res } from 'path';",
      "import { type Foo, bar } from './x';",
      "import type { Baz } from './y';",
      "import os = require('os');",
      "const x = 1; import Def from \"def\"",
    ].join('\n');
    assert.deepEqual(importedNames(source).sort(), ['Def', 'Foo', 'bar', 'fs', 'join', 'os', 'res', 'tracklab'].sort());
  });
});

describe('mutableNames', () => {
  it('finds let and var declarations, not const', () => {
    const source = 'const lr = 0.1;\nlet w = 0, b = 0;\nvar seen;\nfor (let step = 0; step < 3; step++) {}';
    assert.deepEqual(mutableNames(source), ['w', 'b', 'seen', 'step']);
  });
});
