import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExperimentFilter, parseExperimentOrderBy } from './experiment-filter';

describe('parseExperimentFilter', () => {
  it('reads name, times and tags, with or without the attribute prefix', () => {
    assert.deepEqual(parseExperimentFilter("name = 'x'"), {
      kind: 'compare', ident: { type: 'attribute', key: 'name' }, op: '=', value: 'x', position: 0,
    });
    for (const prefix of ['attribute', 'attributes', 'attr']) {
      const node = parseExperimentFilter(`${prefix}.name LIKE 'x%'`);
      assert.ok(node?.kind === 'compare' && node.ident.key === 'name' && node.op === 'LIKE');
    }
    const node = parseExperimentFilter("creation_time > 5 AND (tags.group = 'a' OR tag.`my group` ILIKE '%b%')");
    assert.equal(node?.kind, 'and');
  });

  it('uses the MLflow comparator sets for experiments', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) assert.ok(parseExperimentFilter(`name ${op} 'x'`));
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) assert.ok(parseExperimentFilter(`last_update_time ${op} 1`));
    assert.throws(() => parseExperimentFilter("name IN ('x')"), /Invalid comparator IN for attributes.name/);
    assert.throws(() => parseExperimentFilter('name > 1'), /Invalid comparator > for attributes.name/);
    assert.throws(() => parseExperimentFilter("creation_time LIKE 'x'"), /Invalid comparator LIKE for attributes.creation_time/);
  });

  it('refuses run-only prefixes and keys', () => {
    assert.throws(() => parseExperimentFilter('metrics.acc > 1'), /Invalid entity type 'metrics' in the filter: valid prefixes for experiments are tag\/tags, attribute\/attributes\/attr/);
    assert.throws(() => parseExperimentFilter("status = 'x'"), /Invalid attribute key 'status' for experiments: use one of name, creation_time, last_update_time/);
    assert.throws(() => parseExperimentFilter("experiment_id = 'x'"), /Invalid attribute key 'experiment_id'/);
  });
});

describe('parseExperimentOrderBy', () => {
  it('orders by the four experiment attributes', () => {
    assert.deepEqual(parseExperimentOrderBy(['name', 'experiment_id DESC', 'creation_time ASC', 'last_update_time DESC']).map((c) => [c.ident.key, c.ascending]), [
      ['name', true], ['experiment_id', false], ['creation_time', true], ['last_update_time', false],
    ]);
  });

  it('refuses anything else', () => {
    assert.throws(() => parseExperimentOrderBy('tags.x'), /Cannot order experiments by tags.x: order by attributes/);
    assert.throws(() => parseExperimentOrderBy('metrics.acc'), /Invalid entity type 'metrics'/);
    assert.throws(() => parseExperimentOrderBy('lifecycle_stage'), /Invalid attribute key 'lifecycle_stage' for experiments/);
  });
});
