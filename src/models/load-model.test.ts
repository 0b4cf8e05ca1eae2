import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTracklabError } from '../errors';
import { loadModel } from './load-model';

test('a models: or runs: URI without its slash is malformed, and the error shows the forms', async () => {
  for (const uri of ['models:lin', 'models:lin/1', 'runs:abc/model']) {
    await assert.rejects(loadModel(uri), (e) => isTracklabError(e, 'INVALID_PARAMETER_VALUE')
      && e.message === `The model URI "${uri}" is malformed. Write models:/<name>/<version>, models:/<name>@<alias> or runs:/<run_id>/<path> (or a directory).`);
  }
  await assert.rejects(loadModel('no-such-dir'), (e) => isTracklabError(e, 'RESOURCE_DOES_NOT_EXIST') && /No model directory at no-such-dir/.test(e.message));
});
