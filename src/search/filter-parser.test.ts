import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTracklabError } from '../errors';
import type { Comparator, Comparison, FilterNode } from './filter-ast';
import { parseFilter } from './filter-parser';
import { quoteFilterValue } from './filter-tokens';

function clause(filter: string): Comparison {
  const node = parseFilter(filter);
  assert.ok(node !== undefined && node.kind === 'compare', `expected one clause from ${filter}`);
  return node;
}

/** Asserts an INVALID_PARAMETER_VALUE whose message names `position` and draws the caret under it. */
function assertFails(filter: string, position: number, fragment: string | RegExp): void {
  assert.throws(() => parseFilter(filter), (err: unknown) => {
    assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'), `not a TracklabError: ${String(err)}`);
    const [headline, shown, caret] = err.message.split('\n');
    assert.ok(headline.includes(`position ${position}`), `"${headline}" should name position ${position}`);
    if (typeof fragment === 'string') assert.ok(headline.includes(fragment), `"${headline}" should include "${fragment}"`);
    else assert.match(headline, fragment);
    assert.equal(shown, `  ${filter}`);
    assert.equal(caret, `  ${' '.repeat(position)}^`);
    return true;
  });
}

describe('parseFilter: basics', () => {
  it('gives undefined for empty or blank filters', () => {
    assert.equal(parseFilter(''), undefined);
    assert.equal(parseFilter('  \n\t '), undefined);
  });

  it('reads a clause with its key, comparator, value and position', () => {
    assert.deepEqual(parseFilter('  metrics.acc > 0.9'), {
      kind: 'compare', ident: { type: 'metric', key: 'acc' }, op: '>', value: 0.9, position: 2,
    });
  });

  it('takes every prefix alias MLflow takes', () => {
    const cases: [string, string][] = [
      ['metric', 'metric'], ['metrics', 'metric'],
      ['param', 'param'], ['params', 'param'], ['parameter', 'param'], ['parameters', 'param'],
      ['tag', 'tag'], ['tags', 'tag'],
    ];
    for (const [prefix, type] of cases) {
      const value = type === 'metric' ? '1' : "'x'";
      assert.deepEqual(clause(`${prefix}.k = ${value}`).ident, { type, key: 'k' }, prefix);
    }
    for (const prefix of ['attribute', 'attributes', 'attr', 'run']) {
      assert.deepEqual(clause(`${prefix}.status = 'FAILED'`).ident, { type: 'attribute', key: 'status' }, prefix);
    }
    for (const prefix of ['dataset', 'datasets']) {
      assert.deepEqual(clause(`${prefix}.digest = 'abc'`).ident, { type: 'dataset', key: 'digest' }, prefix);
    }
  });

  it('reads a bare key as an attribute and maps MLflow aliases', () => {
    assert.deepEqual(clause("status = 'RUNNING'").ident, { type: 'attribute', key: 'status' });
    assert.deepEqual(clause('created > 5').ident, { type: 'attribute', key: 'start_time' });
    assert.deepEqual(clause('Created > 5').ident, { type: 'attribute', key: 'start_time' });
    assert.deepEqual(clause("`Run Name` = 'x'").ident, { type: 'attribute', key: 'run_name' });
    assert.deepEqual(clause("attributes.`run name` = 'x'").ident, { type: 'attribute', key: 'run_name' });
    assert.deepEqual(clause("\"Run name\" = 'x'").ident, { type: 'attribute', key: 'run_name' });
  });

  it('splits at the first dot only, like MLflow', () => {
    assert.deepEqual(clause("tags.mlflow.source.name = 'nb'").ident, { type: 'tag', key: 'mlflow.source.name' });
    assert.deepEqual(clause('metrics.val/loss-2:x < 1').ident, { type: 'metric', key: 'val/loss-2:x' });
  });
});

describe('parseFilter: quoting', () => {
  it('reads backticked and double-quoted keys', () => {
    assert.equal(clause('metrics.`a b` > 1').ident.key, 'a b');
    assert.equal(clause("params.\"learning rate\" = '0.1'").ident.key, 'learning rate');
    assert.equal(clause("tags.`a``b` = 'x'").ident.key, 'a`b');
    assert.equal(clause("`params`.lr = 'x'").ident.type, 'param');
    assert.equal(clause("params.`a.b` = 'x'").ident.key, 'a.b');
  });

  it('reads single- and double-quoted values with escaped quotes', () => {
    assert.equal(clause("params.a = 'it''s'").value, "it's");
    assert.equal(clause("params.a = 'it\\'s'").value, "it's");
    assert.equal(clause('params.a = "say ""hi"""').value, 'say "hi"');
    assert.equal(clause('params.a = "say \\"hi\\""').value, 'say "hi"');
    assert.equal(clause("params.a = 'back\\\\slash'").value, 'back\\slash');
    assert.equal(clause("params.a = 'a\\nb'").value, 'a\\nb');
    assert.equal(clause("params.a = ''").value, '');
    assert.equal(clause("params.a = 'AND OR ( )'").value, 'AND OR ( )');
  });

  it('reads numbers in every form', () => {
    const cases: [string, number][] = [['1', 1], ['-1', -1], ['+2', 2], ['0.5', 0.5], ['.5', 0.5], ['1.', 1], ['1e-3', 0.001], ['-2.5E+2', -250]];
    for (const [text, value] of cases) assert.equal(clause(`metrics.m >= ${text}`).value, value, text);
    assert.equal(clause('metrics.m>-1').value, -1);
  });

  it('refuses unterminated quotes', () => {
    assertFails("params.a = 'open", 11, 'unterminated string');
    assertFails('metrics.`a b > 1', 8, 'unterminated quoted key');
  });
});

describe('parseFilter: comparators per entity (MLflow sets, then tracklab extensions)', () => {
  const all: Comparator[] = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'];
  const valueFor = (op: Comparator, numeric: boolean): string => {
    if (op === 'IS NULL' || op === 'IS NOT NULL') return '';
    if (op === 'IN' || op === 'NOT IN') return " ('a', 'b')";
    return numeric && !op.includes('LIKE') ? ' 1' : " 'a'";
  };
  const cases: { key: string; numeric: boolean; allowed: Comparator[]; label: string }[] = [
    { key: 'metrics.acc', numeric: true, allowed: ['=', '!=', '<', '<=', '>', '>=', 'IS NULL', 'IS NOT NULL'], label: 'metrics' },
    // Params also compare with an unquoted number (a tracklab extension), so they take the ordering comparators.
    { key: 'params.lr', numeric: true, allowed: ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IS NULL', 'IS NOT NULL'], label: 'params' },
    { key: 'tags.team', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IS NULL', 'IS NOT NULL'], label: 'tags' },
    { key: 'attributes.run_id', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'], label: 'attributes.run_id' },
    { key: 'attributes.run_name', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE'], label: 'attributes.run_name' },
    { key: 'attributes.status', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE'], label: 'attributes.status' },
    { key: 'attributes.user_id', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IS NULL', 'IS NOT NULL'], label: 'attributes.user_id' },
    { key: 'attributes.artifact_uri', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE'], label: 'attributes.artifact_uri' },
    { key: 'attributes.parent_run_id', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL'], label: 'attributes.parent_run_id' },
    { key: 'attributes.start_time', numeric: true, allowed: ['=', '!=', '<', '<=', '>', '>='], label: 'attributes.start_time' },
    { key: 'attributes.end_time', numeric: true, allowed: ['=', '!=', '<', '<=', '>', '>=', 'IS NULL', 'IS NOT NULL'], label: 'attributes.end_time' },
    { key: 'datasets.name', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'], label: 'datasets.name' },
    { key: 'datasets.context', numeric: false, allowed: ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'], label: 'datasets.context' },
  ];
  for (const c of cases) {
    it(`${c.key}: accepts ${c.allowed.join(' ')}; refuses the rest`, () => {
      for (const op of all) {
        const filter = `${c.key} ${op}${valueFor(op, c.numeric)}`;
        if (c.allowed.includes(op)) {
          assert.equal(clause(filter).op, op, filter);
        } else {
          assertFails(filter, c.key.length + 1, `Invalid comparator ${op} for ${c.label}: use one of `);
        }
      }
    });
  }

  it('gives the MLflow wording for LIKE on a metric', () => {
    assert.throws(() => parseFilter("metrics.acc LIKE '%'"), (err: unknown) => {
      assert.ok(isTracklabError(err, 'INVALID_PARAMETER_VALUE'));
      assert.ok(err.message.startsWith('Invalid comparator LIKE for metrics: use one of =, !=, <, <=, >, >='), err.message);
      return true;
    });
  });

  it('reads comparator keywords in any case', () => {
    assert.equal(clause("params.a like 'x'").op, 'LIKE');
    assert.equal(clause("params.a iLike 'x'").op, 'ILIKE');
    assert.equal(clause("params.a not Like 'x'").op, 'NOT LIKE');
    assert.equal(clause("run_id in ('x')").op, 'IN');
    assert.equal(clause("run_id Not In ('x')").op, 'NOT IN');
    assert.equal(clause('metrics.a is not null').op, 'IS NOT NULL');
    assert.equal(clause('metrics.a IS NULL').value, null);
  });

  it('points at <> and == with the spelling to use', () => {
    assertFails('metrics.a <> 1', 10, 'use != instead');
    assertFails('metrics.a == 1', 10, 'use = instead');
  });
});

describe('parseFilter: values', () => {
  it('wants numbers for metrics and numeric attributes', () => {
    assertFails("metrics.acc > 'high'", 14, "Expected a numeric value for metrics.acc, found 'high'");
    assertFails("attributes.start_time >= '5'", 25, 'Expected a numeric value for attributes.start_time');
  });

  it('wants quoted strings for tags, string attributes and params with LIKE', () => {
    assertFails('params.lr LIKE 0.1', 15, "Expected a quoted string value for params.lr, found 0.1: write params.lr LIKE '0.1'");
    assertFails('tags.n != 3', 10, "Expected a quoted string value for tags.n, found 3: write tags.n != '3'");
    assertFails('params.lr = adam', 12, "expected a quoted value after '=', found 'adam'");
  });

  it('reads a param compared with an unquoted number as a numeric clause (tracklab extension)', () => {
    assert.deepEqual(parseFilter('params.lr < 0.1'), { kind: 'compare', ident: { type: 'param', key: 'lr' }, op: '<', value: 0.1, position: 0 });
    assert.equal(clause('params.batch = 32').value, 32);
    assert.equal(clause('params.lr != 1e-3').value, 0.001);
    assert.equal(clause("params.lr = '0.1'").value, '0.1', 'a quoted value stays text, as in MLflow');
    assertFails("params.lr < '0.1'", 12, "Expected an unquoted number after < for params.lr, found '0.1': write params.lr < 0.1 to compare numerically");
    assertFails("params.lr >= 'x'", 13, 'Expected an unquoted number after >= for params.lr');
    assertFails("tags.epochs > 3", 12, 'Invalid comparator > for tags: use one of =, !=, LIKE, ILIKE, NOT LIKE, NOT ILIKE, IS NULL, IS NOT NULL');
  });

  it('reads IN lists, with an optional trailing comma', () => {
    assert.deepEqual(clause("attributes.run_id IN ('a', \"b\",)").value, ['a', 'b']);
    assert.deepEqual(clause("run_id NOT IN ('only')").value, ['only']);
  });

  it('refuses malformed IN lists', () => {
    assertFails("run_id IN 'a'", 10, 'expected a parenthesised list of quoted strings after IN');
    assertFails('run_id IN ()', 11, 'the list after IN is empty');
    assertFails("run_id IN ('a' 'b')", 15, "expected ',' or ')' in the list after IN");
    assertFails("run_id IN ('a', 1)", 16, 'expected a quoted string in the list after IN');
    assertFails("run_id IN ('a'", 14, "expected ',' or ')'");
  });

  it('refuses IN on attributes that are not ids, as MLflow does', () => {
    assertFails("run_name IN ('a')", 9, 'Only the id attributes (run_id, experiment_id, parent_run_id) take a list');
  });
});

describe('parseFilter: AND, OR and parentheses', () => {
  const keys = (node: FilterNode | undefined): unknown => {
    if (node === undefined) return undefined;
    if (node.kind === 'compare') return node.ident.key;
    return { [node.kind]: node.items.map(keys) };
  };

  it('binds AND tighter than OR', () => {
    assert.deepEqual(keys(parseFilter('metrics.a > 1 OR metrics.b > 1 AND metrics.c > 1')), { or: ['a', { and: ['b', 'c'] }] });
    assert.deepEqual(keys(parseFilter('metrics.a > 1 AND metrics.b > 1 OR metrics.c > 1')), { or: [{ and: ['a', 'b'] }, 'c'] });
  });

  it('lets parentheses override precedence', () => {
    assert.deepEqual(keys(parseFilter('(metrics.a > 1 OR metrics.b > 1) AND metrics.c > 1')), { and: [{ or: ['a', 'b'] }, 'c'] });
    assert.deepEqual(keys(parseFilter('((metrics.a > 1))')), 'a');
  });

  it('flattens chains of one operator', () => {
    assert.deepEqual(keys(parseFilter('metrics.a > 1 and metrics.b > 1 AND (metrics.c > 1 And metrics.d > 1)')), { and: ['a', 'b', 'c', 'd'] });
    assert.deepEqual(keys(parseFilter('metrics.a > 1 or (metrics.b > 1 OR metrics.c > 1)')), { or: ['a', 'b', 'c'] });
  });

  it('reports unbalanced parentheses and dangling operators where they are', () => {
    assertFails('(metrics.a > 1', 14, "expected ')' to close the '(' at position 0, found end of input");
    assertFails('metrics.a > 1)', 13, "this ')' has no matching '('");
    assertFails('metrics.a > 1 AND', 17, 'expected a key such as metrics.acc, found end of input');
    assertFails('metrics.a > 1 OR OR metrics.b > 1', 17, 'found the keyword OR');
    assertFails('metrics.a > 1 metrics.b > 1', 14, "expected AND, OR or the end of the filter, found 'metrics.b'");
    assertFails('()', 1, "expected a key such as metrics.acc, found ')'");
  });

  it('refuses absurdly deep nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(100)}metrics.a > 1${')'.repeat(100)}`;
    assert.throws(() => parseFilter(deep), /parentheses nest deeper than 64 levels/);
  });
});

describe('parseFilter: errors name the position and show a caret', () => {
  it('points at the end of input when the value is missing', () => {
    const filter = 'metrics.acc > 0.9 AND params.lr =';
    assertFails(filter, 33, "expected a value after '=', found end of input.");
  });

  it('points at bad prefixes, keys and characters', () => {
    assertFails('metricz.a = 1', 0, "Invalid entity type 'metricz'");
    assertFails("acc = 'x'", 0, "Invalid attribute key 'acc' for runs");
    assertFails("datasets.size = 'x'", 0, "Invalid dataset key 'size': use one of name, digest, context");
    assertFails('metrics. > 1', 8, "expected a key after 'metrics.'");
    assertFails('metrics.a > 1 ; drop', 14, "unexpected character ';'");
    assertFails('metrics.a > 1abc', 12, "'1abc' is not a number");
    assertFails("metrics.`a`b = 1", 0, 'quote the whole key');
    assertFails('metrics.a 1', 10, "expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after 'metrics.a', found '1'");
    assertFails('params.a NOT = 1', 13, 'expected IN, LIKE or ILIKE after NOT');
    assertFails('metrics.a IS 1', 13, 'expected NULL or NOT NULL after IS');
  });

  it('shows only the line that holds the error in a multi-line filter', () => {
    assert.throws(() => parseFilter("metrics.a > 1\nAND tags.b = 2"), (err: unknown) => {
      assert.ok(isTracklabError(err));
      assert.equal(err.message, [
        "Expected a quoted string value for tags.b, found 2: write tags.b = '2' (at position 27)",
        '  AND tags.b = 2',
        '               ^',
      ].join('\n'));
      return true;
    });
  });

  it('refuses a filter that is not a string', () => {
    assert.throws(() => parseFilter(42 as unknown as string), /A filter must be a string, got number/);
  });
});

describe('parseFilter: MLflow documentation examples', () => {
  const cmp = (type: string, key: string, op: string, value: unknown, position: number) => ({ kind: 'compare', ident: { type, key }, op, value, position });
  const examples: [string, unknown][] = [
    ['metrics.accuracy > 0.92', cmp('metric', 'accuracy', '>', 0.92, 0)],
    ['params.model = "LogisticRegression" and params.lambda = "0.001" and metrics.error <= 0.05', {
      kind: 'and', items: [
        cmp('param', 'model', '=', 'LogisticRegression', 0),
        cmp('param', 'lambda', '=', '0.001', 40),
        cmp('metric', 'error', '<=', 0.05, 68),
      ],
    }],
    ['attributes.status = "FAILED"', cmp('attribute', 'status', '=', 'FAILED', 0)],
    ["tags.\"mlflow.source.type\" = 'NOTEBOOK'", cmp('tag', 'mlflow.source.type', '=', 'NOTEBOOK', 0)],
    ["attributes.run_id IN ('a1b2', 'c3d4')", cmp('attribute', 'run_id', 'IN', ['a1b2', 'c3d4'], 0)],
    ["attributes.run_name ILIKE '%Run%'", cmp('attribute', 'run_name', 'ILIKE', '%Run%', 0)],
    ["datasets.digest IN ('s8ds293b', 'jks834s2')", cmp('dataset', 'digest', 'IN', ['s8ds293b', 'jks834s2'], 0)],
    ["datasets.context = 'train'", cmp('dataset', 'context', '=', 'train', 0)],
    ['attributes.start_time >= 1700000000000 AND attributes.end_time < 1800000000000', {
      kind: 'and', items: [
        cmp('attribute', 'start_time', '>=', 1700000000000, 0),
        cmp('attribute', 'end_time', '<', 1800000000000, 43),
      ],
    }],
  ];
  for (const [filter, tree] of examples) {
    it(filter, () => {
      assert.deepEqual(parseFilter(filter), tree);
    });
  }

  it('metrics."model class" LIKE "sklearn.linear_model%" (LIKE on a metric: MLflow refuses it too)', () => {
    assert.throws(() => parseFilter('metrics."model class" LIKE "sklearn.linear_model%"'), /Invalid comparator LIKE for metrics/);
  });
});

describe('quoteFilterValue', () => {
  it('quotes any text so that the filter reads it back exactly: quotes, backslashes, a trailing backslash', () => {
    for (const value of ["it's", 'a\\b', 'ends\\', "\\'", "''", 'plain', '']) {
      assert.deepEqual(clause(`tags.name = ${quoteFilterValue(value)}`).value, value, JSON.stringify(value));
    }
  });
});
