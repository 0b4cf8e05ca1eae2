/**
 * The option bags of models and the registry refuse names they do not take,
 * as the tracking API's do (src/option-names.ts). MLflow's own names are the
 * likely slips (`artifactPath`, `registeredModelName`, `experimentName`), and
 * ignoring one registers the wrong run or logs the model where nobody looks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadModel } from '../../src/models/load-model';
import { logModel } from '../../src/models/log-model';
import { saveModel } from '../../src/models/package';
import { RegistryClient } from '../../src/registry/registry-client';
import { exportBest } from '../../src/show/export-best';
import { registrySummary } from '../../src/show/registry-show';
import { TrackingClient } from '../../src/tracking/client';
import { codeOf, fitLine, tempHome, trainRun, type LoggedRun } from './helpers';
import { loose, refused } from '../support/refused';

describe('models and registry option names', () => {
  let tracking: TrackingClient;
  let registry: RegistryClient;
  let good: LoggedRun;

  before(async () => {
    tracking = new TrackingClient({ home: tempHome() });
    registry = new RegistryClient({ tracking });
    good = await trainRun(tracking, 'good', 1, { acc: 0.9 });
    await trainRun(tracking, 'other', 2, { acc: 0.5 });
  });

  after(async () => {
    registry.close();
    await tracking.close();
  });

  it('exportBest refuses a misspelt option instead of searching another experiment, and registers nothing', async () => {
    await assert.rejects(exportBest(loose({ experimentName: 'good', metric: 'acc', mode: 'max', name: 'eb', registry, display: false })),
      refused(/^exportBest\(\) has no option "experimentName": did you mean "experiment"\? Its options are experiment, metric, mode, /));
    await assert.rejects(exportBest(loose(undefined)), refused(/^exportBest\(\) takes an object of options, got undefined\./));
    await assert.rejects(registry.getRegisteredModel('eb'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST', 'nothing was registered');
    const v = await exportBest({ experiment: 'good', metric: 'acc', mode: 'max', name: 'eb', registry, display: false });
    assert.equal(v.runId, good.runId);
  });

  it('logModel and saveModel refuse MLflow\'s names they do not take; nothing is logged', async () => {
    const { runId } = await tracking.createRun({ experiment: 'good' });
    await assert.rejects(logModel(runId, fitLine(1), loose({ client: tracking, artifactPath: 'clf' })),
      refused(/^logModel\(\) has no option "artifactPath"\. Its options are .*\bname\b/));
    await assert.rejects(logModel(runId, fitLine(1), loose({ client: tracking, registeredModelName: 'churn' })), refused(/^logModel\(\) has no option "registeredModelName"/));
    await assert.rejects(logModel(runId, fitLine(1), loose({ client: tracking, input_example: [1] })), refused(/no option "input_example": did you mean "inputExample"\?/));
    assert.deepEqual((await tracking.listArtifacts(runId)).filter((a) => a.path.endsWith('MLmodel')), [], 'no model was logged');
    await assert.rejects(saveModel(fitLine(1), path.join(tempHome(), 'm'), loose({ input_example: [1] })), refused(/^saveModel\(\) has no option "input_example": did you mean "inputExample"\?/));
    await tracking.setTerminated(runId);
  });

  it('loadModel, the registry client and registry.show refuse unknown options', async () => {
    await assert.rejects(loadModel(good.modelUri, loose({ client: tracking, dst_path: '/tmp/x' })), refused(/^loadModel\(\) has no option "dst_path"/));
    await assert.rejects(registry.registerModel(good.modelUri, 'opts', loose({ desc: 'x' })), refused(/^registerModel\(\) has no option "desc": did you mean "description"\?/));
    await assert.rejects(registry.createModelVersion('opts', good.modelUri, undefined, loose({ tag: { a: 1 } })), refused(/^createModelVersion\(\) has no option "tag": did you mean "tags"\?/));
    await assert.rejects(registry.createRegisteredModel('opts', loose({ userId: 'me' })), refused(/^createRegisteredModel\(\) has no option "userId"/));
    await assert.rejects(registry.createRegisteredModel('opts', loose(null)), refused(/^createRegisteredModel\(\) takes an object of options, got null\./));
    await assert.rejects(registry.searchRegisteredModels(loose({ filterString: "name = 'x'" })), refused(/^searchRegisteredModels\(\) has no option "filterString": did you mean "filter"\?/));
    await assert.rejects(registry.searchModelVersions(loose({ max_results: 5 })), refused(/^searchModelVersions\(\) has no option "max_results": did you mean "maxResults"\?/));
    await assert.rejects(registrySummary(undefined, loose({ registry, metrics: 'acc' })), refused(/^registry\.show\(\) has no option "metrics": did you mean "metric"\?/));
    assert.throws(() => new RegistryClient(loose({ trackingClient: tracking })), refused(/^new RegistryClient\(\) has no option "trackingClient": did you mean "tracking"\?/));
    await assert.rejects(registry.getRegisteredModel('opts'), (e) => codeOf(e) === 'RESOURCE_DOES_NOT_EXIST', 'nothing was registered');
  });
});
