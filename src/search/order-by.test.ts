import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTracklabError } from '../errors';
import { parseOrderBy } from './order-by';

function assertFails(input: string | readonly string[], fragment: string, position?: number): void {
  assert.throws(() => parseOrderBy(input), (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), String(err));
    assert.ok(err.message.includes(fragment), `"${err.message}" should include "${fragment}"`);
    if (position !== undefined) {
      assert.ok(err.message.split('\n')[0].includes(`position ${position}`), err.message);
      assert.equal(err.message.split('\n')[2], `  ${' '.repeat(position)}^`);
    }
    return true;
  });
}

describe('parseOrderBy', () => {
  it('gives [] for nothing', () => {
    assert.deepEqual(parseOrderBy(undefined), []);
    assert.deepEqual(parseOrderBy([]), []);
    assert.deepEqual(parseOrderBy(''), []);
    assert.deepEqual(parseOrderBy('   '), []);
  });

  it('reads key and direction, ascending by default, keywords in any case', () => {
    assert.deepEqual(parseOrderBy(['metrics.acc DESC', 'params.lr', 'tags.team asc', 'start_time Desc']), [
      { ident: { type: 'metric', key: 'acc' }, ascending: false },
      { ident: { type: 'param', key: 'lr' }, ascending: true },
      { ident: { type: 'tag', key: 'team' }, ascending: true },
      { ident: { type: 'attribute', key: 'start_time' }, ascending: false },
    ]);
  });

  it('reads several clauses from one comma-separated string', () => {
    assert.deepEqual(parseOrderBy('metrics.`val loss` ASC, attributes.end_time DESC'), [
      { ident: { type: 'metric', key: 'val loss' }, ascending: true },
      { ident: { type: 'attribute', key: 'end_time' }, ascending: false },
    ]);
  });

  it('reads quoted keys and aliases', () => {
    assert.deepEqual(parseOrderBy('params."batch size" DESC')[0].ident, { type: 'param', key: 'batch size' });
    assert.deepEqual(parseOrderBy('created')[0].ident, { type: 'attribute', key: 'start_time' });
    assert.deepEqual(parseOrderBy('run.run_name')[0].ident, { type: 'attribute', key: 'run_name' });
  });

  it('refuses bad keys, directions and separators with positions', () => {
    assertFails('metrics.acc DOWN', "expected ASC, DESC, ',' or the end after 'metrics.acc', found 'DOWN'", 12);
    assertFails('metrics.acc DESC DESC', "found 'DESC'", 17);
    assertFails('metrics.acc,', 'expected a key such as metrics.acc DESC, found end of input', 12);
    assertFails(', metrics.acc', "found ','", 0);
    assertFails('nope DESC', "Invalid attribute key 'nope' for runs", 0);
    assertFails('foo.bar', "Invalid entity type 'foo'", 0);
    assertFails("metrics.acc = 'x'", "found '='", 12);
  });

  it('refuses datasets and duplicates, like MLflow', () => {
    assertFails('datasets.name', 'Cannot order runs by datasets.name: order by metrics, params, tags, attributes', 0);
    assertFails(['metrics.acc DESC', 'metrics.acc ASC'], 'order_by lists metrics.acc twice', 0);
    assertFails('start_time, created DESC', 'order_by lists attributes.start_time twice', 12);
  });

  it('refuses what MLflow refuses: filter-only attributes, run-name aliases, upper-case prefixes, blank entries', () => {
    assertFails('experiment_id', "Invalid attribute key 'experiment_id' in order_by: runs can be filtered on it but not ordered by it (as in MLflow). Order by one of run_id, run_name, status, user_id, artifact_uri, start_time, created, Created, end_time", 0);
    assertFails('attributes.parent_run_id DESC', "Invalid attribute key 'parent_run_id' in order_by", 0);
    assertFails('`Run name` DESC', "Invalid attribute key 'Run name' in order_by", 0);
    assertFails('run name', "Invalid attribute key 'run' for runs", 0);
    assertFails('METRICS.acc DESC', "Invalid entity type 'METRICS' in order_by: valid prefixes for runs are metric/metrics, param/params/parameter/parameters, tag/tags, attribute/attributes/attr/run, dataset/datasets (prefixes are lower case: metrics.)", 0);
    assertFails(['metrics.acc', ''], "Invalid order_by clause '': it is empty");
    assertFails(['  '], "Invalid order_by clause '  ': it is empty");
  });

  it('orders by what MLflow orders by: every RunInfo attribute, created, and tags.mlflow.runName as the run name', () => {
    assert.deepEqual(parseOrderBy(['artifact_uri', 'user_id DESC', 'Created']).map((c) => [c.ident.key, c.ascending]), [['artifact_uri', true], ['user_id', false], ['start_time', true]]);
    assert.deepEqual(parseOrderBy('tags.mlflow.runName DESC'), [{ ident: { type: 'attribute', key: 'run_name' }, ascending: false }]);
    assertFails(['run_name', 'tags.mlflow.runName'], 'order_by lists attributes.run_name twice', 0);
  });

  it('refuses input that is not strings', () => {
    assertFails(42 as unknown as string, 'order_by must be a string or an array of strings');
    assertFails([1] as unknown as string[], 'order_by entries must be strings');
  });
});
