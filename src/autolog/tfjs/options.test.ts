import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTracklabError } from '../../errors';
import { tfjsSettings } from './options';

test('defaults: epochs and the model, no per-batch metrics, no implicit run', () => {
  assert.deepEqual(tfjsSettings(undefined, undefined), { batches: false, logModels: true, modelSummary: true, implicitRun: undefined });
  const implicitRun = (): undefined => undefined;
  assert.equal(tfjsSettings({ batches: true }, { implicitRun }).implicitRun, implicitRun);
});

test('bad options throw INVALID_PARAMETER_VALUE naming the fix', () => {
  const bad: [unknown, RegExp][] = [
    [{ batch: true }, /Unknown TensorFlow.js autolog option "batch"; the options are batches, logModels, modelSummary/],
    [{ batches: 'yes' }, /option "batches" must be true or false, got "yes"/],
    [[true], /takes an options object like \{ batches: true \}, got \[true\]/],
    [7, /takes an options object/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => tfjsSettings(options as never, undefined), (err: unknown) => isTracklabError(err, 'INVALID_PARAMETER_VALUE') && message.test(err.message));
  }
  assert.throws(() => tfjsSettings({}, { implicitRun: 'run' as never }), /hook "implicitRun" must be a function/);
});
