import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureLimits } from './auto-capture';
import { captureNamedParams } from './named-params';

describe('captureNamedParams', () => {
  it('takes what the user named past the auto-capture limits: a 9-item array, a 300-character string', () => {
    const classes = ['cat', 'dog', 'bird', 'fish', 'horse', 'frog', 'deer', 'ship', 'truck'];
    const prompt = `Summarise: ${'x'.repeat(289)}`;
    assert.ok(classes.length > CaptureLimits.maxArrayLength && prompt.length > CaptureLimits.maxStringLength);
    const { params, skipped } = captureNamedParams({ classes, prompt, lr: 0.1, other: 1, _seed: 7 }, ['classes', 'prompt', 'lr', '_seed']);
    assert.deepEqual(params, { classes: JSON.stringify(classes), prompt, lr: '0.1', _seed: '7' });
    assert.deepEqual(skipped, []);
  });

  it('flattens a named plain object, and turns typed arrays and dates into plain text', () => {
    const { params } = captureNamedParams({ opt: { name: 'adam', betas: [0.9, 0.999], sched: { steps: new Float32Array([1, 2]) } }, at: new Date(0) }, ['opt', 'at']);
    assert.deepEqual(params, { 'opt.name': 'adam', 'opt.betas': '[0.9,0.999]', 'opt.sched.steps': '[1,2]', at: '1970-01-01T00:00:00.000Z' });
    assert.deepEqual(captureNamedParams({ deep: { a: { b: { c: 1 } } } }, ['deep']).params, { 'deep.a.b': '{"c":1}' }, 'two levels flattened, as auto-capture does');
    assert.deepEqual(captureNamedParams({ w: new Float64Array([0.5, 2]) }, ['w']).params, { w: '[0.5,2]' });
  });

  it('says why a named variable is not taken: a function, a module, an instance, missing, over the store limit', () => {
    class Model { w = 1; }
    const scope = { train: () => 1, Model, fs: require('node:fs') as unknown, model: new Model(), huge: 'y'.repeat(6001), cyclic: [] as unknown[], cfg: { ok: 1, fn: () => 2 } };
    scope.cyclic.push(scope.cyclic);
    const { params, skipped } = captureNamedParams(scope, ['train', 'Model', 'fs', 'model', 'missing', 'huge', 'cyclic', 'cfg']);
    assert.deepEqual(params, {});
    const why = Object.fromEntries(skipped.map((s) => [s.name, s.reason]));
    assert.deepEqual(Object.keys(why), ['train', 'Model', 'fs', 'model', 'missing', 'huge', 'cyclic', 'cfg']);
    assert.match(why.train, /a function or class/);
    assert.match(why.fs, /holds a function \(fs\.\w+\), so it is code or a module/);
    assert.match(why.cfg, /holds a function \(cfg\.fn\)/);
    assert.match(why.model, /an instance of Model/);
    assert.match(why.missing, /not defined/);
    assert.match(why.huge, /6001 characters long; the limit is 6000/);
    assert.match(why.cyclic, /cannot|serial|JSON/i);
  });
});
