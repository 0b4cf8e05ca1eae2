/**
 * Search and naming as MLflow behaves today (mlflow/utils/search_utils.py,
 * mlflow/store/tracking/sqlalchemy_store.py, mlflow/utils/validation.py),
 * through the client and the CLI on a real store: the run name answers
 * `tags.mlflow.runName` (MLflow's system tag), `attributes.artifact_uri` is
 * searchable, experiment names keep leading and trailing spaces, and order_by
 * clauses MLflow refuses are refused with INVALID_PARAMETER_VALUE.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { isTracklabError } from '../../src/errors';
import { TrackingClient } from '../../src/tracking/client';
import { captureIo } from '../support/cli-io';

let home: string;
let client: TrackingClient;
const ids: Record<string, string> = {};

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-compat-'));
  client = new TrackingClient({ home });
  for (const [name, lr] of [['baseline', 0.1], ['wide-layers', 0.01], ['Baseline copy', 0.001]] as const) {
    const { runId } = await client.createRun({ experiment: 'compat', name, params: { lr } });
    await client.setTerminated(runId);
    ids[name] = runId;
  }
});

after(async () => {
  await client.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function names(filter: string, orderBy?: string[]): Promise<string[]> {
  return (await client.searchRuns({ experiments: ['compat'], filter, orderBy })).runs.map((r) => r.info.runName);
}

describe('MLflow system keys in filters', () => {
  it('tags.mlflow.runName finds runs by name, with every comparator MLflow takes for tags', async () => {
    assert.deepEqual(await names("tags.mlflow.runName = 'baseline'"), ['baseline']);
    assert.deepEqual(await names("tags.`mlflow.runName` != 'baseline'", ['tags.mlflow.runName']), ['Baseline copy', 'wide-layers']);
    assert.deepEqual(await names("tags.\"mlflow.runName\" LIKE 'base%'"), ['baseline']);
    assert.deepEqual(await names("tags.mlflow.runName ILIKE 'base%'", ['tags.mlflow.runName DESC']), ['baseline', 'Baseline copy']);
  });

  it('attributes.artifact_uri is searchable: a run\'s artifact URI is runs:/<run_id>', async () => {
    assert.deepEqual(await names(`attributes.artifact_uri = 'runs:/${ids['wide-layers']}'`), ['wide-layers']);
    assert.deepEqual(await names(`artifact_uri LIKE '%${ids.baseline}'`), ['baseline']);
    assert.equal((await names("attributes.artifact_uri LIKE 'runs:/%'")).length, 3);
  });
});

describe('experiment names with leading or trailing spaces', () => {
  it('are created, found by their exact name, and kept apart from the trimmed name', async () => {
    const padded = await client.createExperiment('  padded  ');
    assert.equal(padded.name, '  padded  ');
    const trimmed = await client.createExperiment('padded');
    assert.notEqual(trimmed.experimentId, padded.experimentId);
    assert.equal((await client.getExperiment('  padded  ')).experimentId, padded.experimentId);
    const { runId } = await client.createRun({ experiment: '  padded  ', name: 'in-padded' });
    await client.setTerminated(runId);
    assert.deepEqual((await client.searchRuns({ experiments: ['  padded  '] })).runs.map((r) => r.info.runId), [runId]);
    assert.deepEqual((await client.searchRuns({ experiments: ['padded'] })).runs, []);
    const found = await client.searchExperiments({ filter: "name = '  padded  '" });
    assert.deepEqual(found.experiments.map((e) => e.experimentId), [padded.experimentId]);
  });

  it('are created by name when a run names one, and the CLI finds them', async () => {
    const { runId } = await client.createRun({ experiment: ' lead', name: 'led' });
    await client.setTerminated(runId);
    assert.equal((await client.getExperiment(' lead')).name, ' lead');
    const io = captureIo();
    assert.equal(await main(['--home', home, 'runs', '-e', ' lead', '--json'], io), 0, io.stderr);
    assert.deepEqual(JSON.parse(io.stdout).runs.map((r: { info: { runId: string } }) => r.info.runId), [runId]);
  });

  it('still refuses empty names and control characters', async () => {
    await assert.rejects(client.createExperiment('   '), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /empty/.test((e as Error).message));
    await assert.rejects(client.createExperiment('a\nb'), (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && /control characters/.test((e as Error).message));
  });
});

describe('order_by clauses MLflow refuses', () => {
  const refused: [string[], RegExp][] = [
    // RunInfo's orderable attributes do not include the filter-only ids or the "run name" aliases.
    [['attributes.experiment_id'], /Invalid attribute key 'experiment_id' in order_by/],
    [['parent_run_id DESC'], /Invalid attribute key 'parent_run_id' in order_by/],
    [['`Run name`'], /Invalid attribute key 'Run name' in order_by/],
    // Prefixes are case-sensitive.
    [['METRICS.acc DESC'], /Invalid entity type 'METRICS'/],
    [['datasets.name'], /Cannot order runs by datasets.name/],
    // Duplicates, also through an alias.
    [['start_time', 'created DESC'], /order_by lists attributes.start_time twice/],
    [['metrics.acc', 'metrics.acc DESC'], /order_by lists metrics.acc twice/],
    // A blank entry, a bad direction, two directions.
    [['metrics.acc', ''], /Invalid order_by clause '': it is empty/],
    [['metrics.acc DESCENDING'], /Invalid order_by clause at position 12/],
    [['metrics.acc ASC DESC'], /Invalid order_by clause at position 16/],
  ];
  for (const [orderBy, message] of refused) {
    it(JSON.stringify(orderBy), async () => {
      await assert.rejects(client.searchRuns({ experiments: ['compat'], orderBy }),
        (e: unknown) => isTracklabError(e, 'INVALID_PARAMETER_VALUE') && message.test((e as Error).message));
    });
  }

  it('and the CLI reports them as errors, not stacks', async () => {
    const io = captureIo();
    assert.equal(await main(['--home', home, 'runs', '-e', 'compat', '--order-by', 'experiment_id'], io), 1);
    assert.match(io.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Invalid attribute key 'experiment_id' in order_by/);
    assert.doesNotMatch(io.stderr, /\n\s+at /);
  });

  it('while MLflow\'s own keys order as they do there', async () => {
    assert.deepEqual(await names('', ['tags.mlflow.runName']), ['Baseline copy', 'baseline', 'wide-layers']);
    assert.deepEqual(await names('', ['artifact_uri DESC']), Object.entries(ids).sort((a, b) => (a[1] < b[1] ? 1 : -1)).map(([n]) => n));
  });
});
