import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import type * as TS from 'typescript';
import { isTracklabError } from '../errors';
import { tslabPackageDir } from './kernel-launch';
import { cellTags, parseNotebook, type Notebook } from './nbformat';
import { injectParameters, parseParameterDefaults } from './parameters';

const ts = createRequire(path.join(tslabPackageDir(), 'package.json'))('@tslab/typescript-for-tslab') as typeof TS;

const DEFAULTS = 'const lr = 0.1;\nlet epochs = 5, label = "base";\nvar fast = true;\nconst layers: number[] = [8, 4];\nconst neg = -2;\nconst { a } = obj;';

function notebook(): Notebook {
  return parseNotebook({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { tracklab: { other: 1 } },
    cells: [
      { id: 'intro', cell_type: 'markdown', metadata: {}, source: '# x' },
      { id: 'defaults', cell_type: 'code', metadata: { tags: ['parameters'] }, source: DEFAULTS, execution_count: null, outputs: [] },
      { id: 'body', cell_type: 'code', metadata: {}, source: 'console.log(lr)', execution_count: null, outputs: [] },
    ],
  });
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => isTracklabError(error, 'INVALID_PARAMETER_VALUE') && pattern.test(error.message));
}

test('defaults are read with the TypeScript parser: kind, literal type, annotation', () => {
  assert.deepEqual(parseParameterDefaults(DEFAULTS), [
    { name: 'lr', kind: 'const', type: 'number' },
    { name: 'epochs', kind: 'let', type: 'number' },
    { name: 'label', kind: 'let', type: 'string' },
    { name: 'fast', kind: 'var', type: 'boolean' },
    { name: 'layers', kind: 'const', type: 'other', annotation: 'number[]' },
    { name: 'neg', kind: 'const', type: 'number' },
  ]);
});

test('the injected cell follows the parameters cell, keeps each declaration kind, and is typed like the default', () => {
  const nb = injectParameters(notebook(), { lr: '0.03', epochs: 10, fast: 'false', layers: '[16, 8, 4]' });
  assert.deepEqual(nb.cells.map((c) => c.id), ['intro', 'defaults', 'injected-parameters', 'body']);
  const injected = nb.cells[2]!;
  assert.deepEqual(cellTags(injected), ['injected-parameters']);
  assert.equal(
    injected.source.split('\n').slice(1).join('\n'),
    'const lr: number = 0.03;\nlet epochs: number = 10;\nvar fast: boolean = false;\nconst layers: number[] = [16,8,4];\n',
  );
  assert.deepEqual(nb.metadata['tracklab'], { other: 1, parameters: { lr: 0.03, epochs: 10, fast: false, layers: [16, 8, 4] } });
});

test('injecting again replaces the earlier injected cell and keeps its id', () => {
  const once = injectParameters(notebook(), { lr: 1 });
  const twice = injectParameters(once, { epochs: '7' });
  assert.equal(twice.cells.filter((c) => cellTags(c).includes('injected-parameters')).length, 1);
  assert.equal(twice.cells[2]!.id, 'injected-parameters');
  assert.match(twice.cells[2]!.source, /let epochs: number = 7;/);
  assert.doesNotMatch(twice.cells[2]!.source, /lr/);
});

test('string values become one JSON string literal, so shell and code metacharacters stay data', () => {
  const hostile = '"; rm -rf x; $(touch pwned) `id` \' */ ${process.exit(1)} \\ \n\u2028 </script>';
  const nb = injectParameters(notebook(), { label: hostile });
  const file = ts.createSourceFile('i.ts', nb.cells[2]!.source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  assert.equal(file.statements.length, 1, 'exactly one statement');
  const statement = file.statements[0]!;
  assert.ok(ts.isVariableStatement(statement));
  const init = statement.declarationList.declarations[0]!.initializer!;
  assert.ok(ts.isStringLiteral(init), 'the initializer is a plain string literal');
  assert.equal(init.text, hostile);
});

test('type mismatches and unknown names are INVALID_PARAMETER_VALUE errors that say what to pass', () => {
  rejects(() => injectParameters(notebook(), { epochs: 'abc' }), /"epochs" must be a finite number .* got "abc"/);
  rejects(() => injectParameters(notebook(), { lr: '1e400' }), /finite number/);
  rejects(() => injectParameters(notebook(), { fast: 'yes' }), /"fast" must be true or false/);
  rejects(() => injectParameters(notebook(), { label: 3 }), /"label" must be a string/);
  rejects(() => injectParameters(notebook(), { layers: '[1,' }), /must be JSON/);
  rejects(() => injectParameters(notebook(), { layers: '{"__proto__": {"polluted": true}}' }), /__proto__/);
  rejects(() => injectParameters(notebook(), { batch: 3 }), /Unknown parameter "batch".*lr, epochs, label, fast, layers, neg/);
  rejects(() => injectParameters(notebook(), { 'lr; process.exit()': 1 }), /not a valid identifier/);
  const untagged = { ...notebook(), cells: notebook().cells.map((c) => ({ ...c, metadata: {} })) };
  rejects(() => injectParameters(untagged, { lr: 1 }), /no code cell tagged "parameters"/);
});

test('no values leaves the notebook untouched', () => {
  const nb = notebook();
  assert.equal(injectParameters(nb, {}), nb);
});
