import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNotebook } from './nbformat';
import { notebookExperiment } from './project-experiment';

function notebook(...sources: string[]) {
  return parseNotebook({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { id: 'md', cell_type: 'markdown', metadata: {}, source: "configure({ experiment: 'in-markdown' })" },
      ...sources.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, source, execution_count: null, outputs: [] })),
    ],
  });
}

test('notebookExperiment reads the experiment a configure() call names as a string', () => {
  assert.equal(notebookExperiment(notebook("import * as tracklab from 'tracklab';\ntracklab.configure({ experiment: 'quickstart' });\ntracklab.autolog();")), 'quickstart');
  assert.equal(notebookExperiment(notebook('configure({ home: ".tracklab", "experiment": `mnist` });')), 'mnist');
  assert.equal(notebookExperiment(notebook("t.configure({ experiment: 'a' });", "if (x) { t.configure({ experiment: 'a' }); }")), 'a', 'the same name twice');
  assert.equal(notebookExperiment(notebook('await run.end();', "// configure({ experiment: 'commented' })")), undefined, 'no call, a comment, or markdown name none');
});

test('notebookExperiment names none when the notebook\'s choice cannot be read before it runs', () => {
  assert.equal(notebookExperiment(notebook("const name = 'x';\nconfigure({ experiment: name });")), undefined, 'a variable');
  assert.equal(notebookExperiment(notebook('configure({ experiment: `exp-${lr}` });')), undefined, 'a template with a value in it');
  assert.equal(notebookExperiment(notebook("configure({ experiment: 'a' });", "configure({ experiment: 'b' });")), undefined, 'two names');
  assert.equal(notebookExperiment(notebook("configure({ experiment: 'a' });", 'configure({ experiment });')), undefined, 'a literal and a shorthand');
});
