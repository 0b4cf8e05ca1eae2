/**
 * tracklab's store calls over HTTP (`/api/tracklab/v1/store/…`, `registry/…`)
 * check their arguments before any store sees them (issue 13, adversary
 * review): a manifest entry with an unsafe path, a malformed digest, a wrong
 * size or content the server does not hold is refused, and a wrong type
 * anywhere is a 400 INVALID_PARAMETER_VALUE that names the field, never a
 * 500 with internal text. Nothing is written on refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentStore } from '../../src/artifacts/content-store';
import { testStores } from '../support/test-stores';
import { startServerFixture, type ServerFixture } from './server-fixture';

async function callApi(f: ServerFixture, route: string, args: unknown): Promise<{ status: number; body: { error_code: string; message: string; value?: unknown } }> {
  const res = await fetch(`${f.url}/api/tracklab/v1/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ args }) });
  return { status: res.status, body: await res.json() as never };
}

const DIGEST = 'a'.repeat(64);

for (const kind of testStores()) {
  test(`${kind.name}: store/putArtifacts refuses unsafe paths, bad digests and sizes, and content the server lacks, writing nothing`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('manifests');
      await f.backend.tracking.createRun({ runId: 'r1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      const held = await new ContentStore(f.store.artifactRoot).put(Buffer.from('held content'));
      const good = { path: 'model/weights.bin', sha256: held.sha256, size: held.size };
      const bad: [string, Record<string, unknown>, RegExp][] = [
        ['parent segment', { ...good, path: '../../etc/passwd' }, /entries\[1\]\.path/],
        ['inner parent segment', { ...good, path: 'model/../../x' }, /entries\[1\]\.path/],
        ['absolute path', { ...good, path: '/etc/passwd' }, /entries\[1\]\.path/],
        ['backslash', { ...good, path: 'model\\..\\x' }, /entries\[1\]\.path/],
        ['NUL', { ...good, path: 'model/a\u0000b' }, /entries\[1\]\.path/],
        ['encoded traversal', { ...good, path: '%2e%2e/x' }, /entries\[1\]\.path/],
        ['not canonical', { ...good, path: 'model//weights.bin' }, /entries\[1\]\.path/],
        ['non-hex digest', { ...good, sha256: 'z'.repeat(64) }, /entries\[1\]\.sha256/],
        ['short digest', { ...good, sha256: 'ab' }, /entries\[1\]\.sha256/],
        ['uppercase digest', { ...good, sha256: held.sha256.toUpperCase() }, /entries\[1\]\.sha256/],
        ['negative size', { ...good, size: -1 }, /entries\[1\]\.size/],
        ['fractional size', { ...good, size: 1.5 }, /entries\[1\]\.size/],
        ['size as text', { ...good, size: '12' }, /entries\[1\]\.size/],
        ['wrong size', { ...good, size: held.size + 1 }, /entries\[1\]\.size.*12 bytes/],
        ['content the server lacks', { ...good, sha256: DIGEST }, /entries\[1\]\.sha256.*does not hold/],
        ['unknown field', { ...good, mode: 0o777 }, /entries\[1\]\.mode/],
      ];
      for (const [what, entry, field] of bad) {
        const r = await callApi(f, 'store/putArtifacts', ['r1', [good, entry]]);
        assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE', what);
        assert.match(r.body.message, field, what);
      }
      assert.deepEqual(await f.backend.tracking.listArtifacts('r1'), [], 'no refused call wrote any entry, not even the good one beside it');
      const ok = await callApi(f, 'store/putArtifacts', ['r1', [good]]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(await f.backend.tracking.listArtifacts('r1'), [good]);
    } finally {
      await f.close();
    }
  });

  test(`${kind.name}: wrong argument types on store/* and registry/* get 400 naming the field, never a 500`, { skip: kind.skip }, async () => {
    const f = await startServerFixture(kind);
    try {
      const exp = await f.backend.tracking.ensureExperiment('typed');
      await f.backend.tracking.createRun({ runId: 'r1', runName: 'one', experimentId: exp.experimentId, startTime: 1 });
      const cases: [string, unknown, RegExp][] = [
        ['store/createExperiment', [{ name: 5 }], /'input\.name'.*a string/],
        ['store/createExperiment', [{ name: 'x', tags: ['a'] }], /'input\.tags'.*an object/],
        ['store/getRun', [{ id: 'r1' }], /'runId'.*a string/],
        ['store/getRun', [], /'runId'.*required/],
        ['store/getRun', ['r1', 'extra'], /takes 1 argument/],
        ['store/logBatch', ['r1', { metrics: 'loss' }], /'batch\.metrics'.*an array/],
        ['store/logBatch', ['r1', { metrics: [{ key: 'loss', value: '1', step: 0, timestamp: 1 }] }], /'batch\.metrics\[0\]\.value'.*a number/],
        ['store/logBatch', ['r1', { params: { lr: 0.1 } }], /'batch\.params\["lr"\]'.*a string/],
        ['store/logBatch', ['r1', { parms: { lr: '0.1' } }], /'batch\.parms'.*no such field/],
        ['store/searchRuns', [{ experimentIds: [exp.experimentId], orderBy: [], maxResults: 10, offset: 0, lifecycle: 'active', filter: { kind: 'compare', op: 'DROP' } }], /'query\.filter/],
        ['store/searchRuns', [{ experimentIds: exp.experimentId, orderBy: [], maxResults: 10, offset: 0, lifecycle: 'active' }], /'query\.experimentIds'.*an array/],
        ['store/updateRun', ['r1', { status: 'DONE' }], /'update\.status'.*one of/],
        ['store/heartbeat', [['r1'], 'now'], /'now'.*a finite number/],
        ['store/recordCell', [{ runId: 'r1', seq: -1, executionCount: null, source: 'x', startTime: 1, endTime: null, status: 'ok', error: null }], /'cell\.seq'/],
        ['store/logInputs', ['r1', [{ dataset: { name: 'd' }, context: null }]], /'inputs\[0\]\.dataset\.digest'/],
        ['store/listInputs', ['r1'], /'runIds'.*an array/],
        ['store/reapCrashedRuns', ['soon'], /'staleAfterMs'/],
        ['store/createRunIn', ['exp', { runId: 'r2', runName: 'two', startTime: 'yesterday' }], /'run\.startTime'/],
        ['registry/createRegisteredModel', [{ name: ['m'] }], /'input\.name'.*a string/],
        ['registry/setAlias', ['m', 'champion', 'one'], /'version'.*a whole number/],
        ['registry/createModelVersion', [{ name: 'm', source: 's', runId: null, files: [{ path: '../x', sha256: DIGEST, size: 1 }], contentHash: DIGEST }], /'input\.files\[0\]\.path'/],
        ['registry/updateModelVersion', ['m', 1, { status: 7 }], /'update\.status'/],
      ];
      for (const [route, args, field] of cases) {
        const r = await callApi(f, route, args);
        assert.equal(r.status, 400, `${route} ${JSON.stringify(args)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE', route);
        assert.match(r.body.message, field, `${route}: ${r.body.message}`);
        assert.doesNotMatch(r.body.message, /\n\s+at |\.js:\d+|TypeError|Cannot read/, `${route}: no internal text`);
      }
      const notArgs = await fetch(`${f.url}/api/tracklab/v1/store/getRun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' });
      assert.equal(notArgs.status, 400);
      assert.equal((await f.backend.tracking.searchExperiments({ orderBy: [], maxResults: 10, offset: 0, lifecycle: 'all' })).experiments.length, 1, 'nothing created');
      assert.equal((await f.backend.tracking.getRun('r1')).data.metrics.loss, undefined, 'nothing logged');
    } finally {
      await f.close();
    }
  });
}
