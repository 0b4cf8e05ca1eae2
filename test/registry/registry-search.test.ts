/**
 * The registry's search SQL (src/store/sqlite/registry-search-sql.ts) end to
 * end: real models registered from real runs in a temp store, searched
 * through the CLI (`models list --filter`) and the RegistryClient, over every
 * searchable column, each comparator, tags that exist or not, OR and
 * parentheses, every order key and pages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';
import { RegistryClient } from '../../src/registry/registry-client';
import { TrackingClient } from '../../src/tracking/client';
import { tempHome, trainRun, type LoggedRun } from './helpers';
import { captureIo } from '../support/cli-io';

let home: string;
let tracking: TrackingClient;
let registry: RegistryClient;
const runs: LoggedRun[] = [];

before(async () => {
  home = tempHome();
  tracking = new TrackingClient({ home });
  registry = new RegistryClient({ tracking });
  for (const slope of [1, 2, 3, 4, 5, 6]) runs.push(await trainRun(tracking, 'registry-search', slope, { rmse: 1 / slope }));
  // churn v1..v3 from runs 0..2; the others one version each.
  for (const i of [0, 1, 2]) await registry.registerModel(runs[i].modelUri, 'churn');
  await registry.registerModel(runs[3].modelUri, 'Churn-EU');
  await registry.registerModel(runs[4].modelUri, 'churnish');
  await registry.registerModel(runs[5].modelUri, 'fraud_model');
  await registry.registerModel(runs[0].modelUri, 'fraudXmodel');
  await registry.setRegisteredModelTag('churn', 'team', 'growth');
  await registry.setRegisteredModelTag('Churn-EU', 'team', 'Growth');
  await registry.setRegisteredModelTag('fraud_model', 'team', 'risk');
  await registry.setModelVersionTag('churn', 2, 'stage', 'prod');
  await registry.setModelVersionTag('churn', 3, 'stage', 'staging');
  await registry.setModelVersionTag('fraudXmodel', 1, 'stage', 'Prod');
});

after(async () => {
  registry.close();
  await tracking.close();
});

/** Model names from `tracklab models list --filter F --json`. */
async function listed(filter: string): Promise<string[]> {
  const io = captureIo();
  const code = await main(['--home', home, 'models', 'list', '--filter', filter, '--json'], io);
  assert.equal(code, 0, io.stderr);
  return (JSON.parse(io.stdout) as { registeredModels: { name: string }[] }).registeredModels.map((m) => m.name);
}

async function versions(filter: string, orderBy?: string[]): Promise<string[]> {
  return (await registry.searchModelVersions({ filter, orderBy })).modelVersions.map((v) => `${v.name}/${v.version}`);
}

describe('registered models through the CLI', () => {
  it('filters names with =, !=, LIKE (case-sensitive, _ is one character), ILIKE and NOT LIKE, by name', async () => {
    assert.deepEqual(await listed("name = 'churn'"), ['churn']);
    assert.deepEqual(await listed("name != 'churn'"), ['Churn-EU', 'churnish', 'fraudXmodel', 'fraud_model']);
    assert.deepEqual(await listed("name LIKE 'churn%'"), ['churn', 'churnish']);
    assert.deepEqual(await listed("name ILIKE 'churn%'"), ['Churn-EU', 'churn', 'churnish']);
    assert.deepEqual(await listed("name LIKE 'fraud_model'"), ['fraudXmodel', 'fraud_model']);
    assert.deepEqual(await listed("name NOT LIKE '%model'"), ['Churn-EU', 'churn', 'churnish']);
    assert.deepEqual(await listed("name NOT ILIKE 'CHURN%'"), ['fraudXmodel', 'fraud_model']);
  });

  it('filters tags: a model without the tag matches no comparison, != included; IS NULL finds it', async () => {
    assert.deepEqual(await listed("tags.team = 'growth'"), ['churn']);
    assert.deepEqual(await listed("tags.team ILIKE 'growth'"), ['Churn-EU', 'churn']);
    assert.deepEqual(await listed("tags.team != 'growth'"), ['Churn-EU', 'fraud_model']);
    assert.deepEqual(await listed('tags.team IS NULL'), ['churnish', 'fraudXmodel']);
    assert.deepEqual(await listed('tags.team IS NOT NULL'), ['Churn-EU', 'churn', 'fraud_model']);
  });

  it('combines clauses with AND, OR and parentheses', async () => {
    assert.deepEqual(await listed("name LIKE 'fraud%' AND tags.team = 'risk' OR name = 'churnish'"), ['churnish', 'fraud_model']);
    assert.deepEqual(await listed("name LIKE 'fraud%' AND (tags.team = 'risk' OR name = 'churnish')"), ['fraud_model']);
  });

  it('refuses keys the registry cannot search, with its code', async () => {
    const io = captureIo();
    assert.equal(await main(['--home', home, 'models', 'list', '--filter', "run_id = 'x'"], io), 1);
    assert.match(io.stderr, /^error \[INVALID_PARAMETER_VALUE\]: Invalid attribute key 'run_id' for registered models: use one of name/);
  });
});

describe('registered models and versions through the client', () => {
  it('orders models by name, timestamps and the timestamp alias, ties by name', async () => {
    const all = (await registry.searchRegisteredModels({})).registeredModels;
    const byTime = (key: 'creationTime' | 'lastUpdatedTime', desc: boolean) => [...all]
      .sort((a, b) => (a[key] - b[key]) * (desc ? -1 : 1) || (a.name < b.name ? -1 : 1)).map((m) => m.name);
    const names = async (orderBy: string[]) => (await registry.searchRegisteredModels({ orderBy })).registeredModels.map((m) => m.name);
    assert.deepEqual(await names(['name DESC']), ['fraud_model', 'fraudXmodel', 'churnish', 'churn', 'Churn-EU']);
    assert.deepEqual(await names(['creation_timestamp DESC']), byTime('creationTime', true));
    assert.deepEqual(await names(['last_updated_timestamp']), byTime('lastUpdatedTime', false));
    assert.deepEqual(await names(['timestamp DESC']), byTime('lastUpdatedTime', true));
  });

  it('filters versions on name, version_number, run_id, source_path and tags', async () => {
    assert.deepEqual(await versions("name = 'churn'"), ['churn/3', 'churn/2', 'churn/1']);
    assert.deepEqual(await versions("name = 'churn' AND version_number = 2"), ['churn/2']);
    assert.deepEqual(await versions("name = 'churn' AND version_number != 2"), ['churn/3', 'churn/1']);
    assert.deepEqual(await versions('version_number > 1'), ['churn/3', 'churn/2']);
    assert.deepEqual(await versions('version_number >= 2 OR version_number < 1'), ['churn/3', 'churn/2']);
    assert.deepEqual(await versions('version_number <= 1', ['name']), ['Churn-EU/1', 'churn/1', 'churnish/1', 'fraudXmodel/1', 'fraud_model/1']);
    assert.deepEqual(await versions(`run_id = '${runs[0].runId}'`), ['churn/1', 'fraudXmodel/1']);
    assert.deepEqual(await versions(`run_id IN ('${runs[1].runId}', '${runs[5].runId}', 'nope')`), ['churn/2', 'fraud_model/1']);
    assert.deepEqual(await versions(`run_id NOT IN ('${runs[0].runId}', '${runs[1].runId}', '${runs[2].runId}')`), ['Churn-EU/1', 'churnish/1', 'fraud_model/1']);
    assert.deepEqual(await versions(`source_path = '${runs[3].modelUri}'`), ['Churn-EU/1']);
    assert.deepEqual(await versions(`source_path LIKE 'runs:/${runs[0].runId}/%'`), ['churn/1', 'fraudXmodel/1']);
    assert.deepEqual(await versions("tags.stage = 'prod'"), ['churn/2']);
    assert.deepEqual(await versions("tags.stage ILIKE 'prod'"), ['churn/2', 'fraudXmodel/1']);
    assert.deepEqual(await versions("tags.stage != 'prod'"), ['churn/3', 'fraudXmodel/1']);
    assert.deepEqual(await versions("name = 'churn' AND tags.stage IS NULL"), ['churn/1']);
    assert.deepEqual(await versions("name ILIKE 'churn%' AND (version_number > 2 OR tags.stage = 'prod')"), ['churn/3', 'churn/2']);
  });

  it('orders versions by version_number and name either way, and pages through them in that order', async () => {
    assert.deepEqual(await versions("name LIKE 'churn%'", ['version_number DESC', 'name DESC']), ['churn/3', 'churn/2', 'churnish/1', 'churn/1']);
    assert.deepEqual(await versions("name ILIKE 'churn%'", ['name DESC', 'version_number']), ['churnish/1', 'churn/1', 'churn/2', 'churn/3', 'Churn-EU/1']);
    const whole = await versions('version_number >= 1', ['name', 'version_number']);
    assert.equal(whole.length, 7);
    const paged: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await registry.searchModelVersions({ filter: 'version_number >= 1', orderBy: ['name', 'version_number'], maxResults: 3, pageToken });
      assert.ok(page.modelVersions.length <= 3);
      paged.push(...page.modelVersions.map((v) => `${v.name}/${v.version}`));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    assert.deepEqual(paged, whole);
  });
});
