/**
 * autolog() in plain Node (a script, not a kernel): it cannot see cells, so
 * log() with no run opens one run for the process, with no notebook tags.
 * The notebook behaviour is tested on tslab in test/notebook/autolog.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { configure, getClient } from '../config';
import { isTracklabError } from '../errors';
import { activeRun, endRun, log } from '../tracking/fluent';
import { autolog, notebookTags } from './autolog';
import { warnedKeys } from './messages';

describe('autolog outside a kernel', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  configure({ home, experiment: 'autolog-script' });

  after(async () => {
    autolog({ disable: true });
    await getClient(home).close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('rejects bad options with a message that says what to pass', () => {
    assert.throws(() => autolog({ params: 'all' as never }), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /"auto", false or an array/.test(e.message));
    assert.throws(() => autolog({ liveCard: 'yes' as never }), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE'));
  });

  it('warns once that cells cannot be captured, and opens a run on the first log()', async () => {
    assert.equal(activeRun(), undefined);
    autolog();
    autolog({ liveCard: false });
    assert.ok(warnedKeys().has('autolog-no-kernel'));
    log({ loss: 0.5 });
    log({ loss: 0.25 });
    const run = activeRun();
    assert.ok(run, 'log() opened a run');
    await endRun();
    const stored = await getClient(home).getRun(run.id);
    assert.equal(stored.info.status, 'FINISHED');
    assert.equal(stored.data.metrics.loss?.count, 2);
    assert.deepEqual({ ...stored.data.params }, {});
    assert.equal(stored.data.tags['tracklab.notebook.kernel'], undefined);
    assert.notEqual(stored.data.tags['tracklab.source.type'], 'NOTEBOOK');
  });

  it('stops supplying runs when disabled', () => {
    autolog({ disable: true });
    assert.throws(() => log({ loss: 1 }), (e: unknown) => isTracklabError(e, 'INVALID_STATE'));
  });

  it('builds notebook provenance tags from the environment', () => {
    const saved = process.env.TRACKLAB_NOTEBOOK_PATH;
    process.env.TRACKLAB_NOTEBOOK_PATH = 'notebooks/quickstart.ipynb';
    try {
      const tags = notebookTags({ seq: 1, code: '', executionCount: 4, startTime: 0 });
      assert.equal(tags['tracklab.source.type'], 'NOTEBOOK');
      assert.equal(tags['tracklab.source.name'], process.env.JPY_SESSION_NAME || 'notebooks/quickstart.ipynb');
      assert.equal(tags['tracklab.source.cell'], '4');
      assert.equal(tags['tracklab.version.node'], process.versions.node);
    } finally {
      if (saved === undefined) delete process.env.TRACKLAB_NOTEBOOK_PATH;
      else process.env.TRACKLAB_NOTEBOOK_PATH = saved;
    }
  });
});
