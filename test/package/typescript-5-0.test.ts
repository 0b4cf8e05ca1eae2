/**
 * tslab 1.0.22 compiles notebook cells with its own TypeScript 5.0, Node10
 * module resolution and lib es2022 (no DOM). This compiles a cell-like
 * program against the built package with that very compiler and those
 * options, so a .d.ts that only newer TypeScript parses fails here, not in a
 * user's notebook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ts: typeof import('typescript') = require(require.resolve('@tslab/typescript-for-tslab', { paths: [path.join(repo, 'node_modules', 'tslab')] }));

const cell = `
import * as tracklab from 'tracklab';
import { TrackingClient, TracklabError, type Run } from 'tracklab';

const run = tracklab.startRun({ experiment: 'types', params: { lr: 0.1 } });
run.log({ loss: 0.5 }, 0);
const client = new TrackingClient();
async function main(): Promise<number> {
  await run.end();
  const { runs } = await client.searchRuns({ filter: "metrics.loss < 1", orderBy: ['metrics.loss ASC'] });
  const first: Run | undefined = runs[0];
  const table = await client.metricHistory(first ? first.info.runId : run.id);
  const values: number[] = [];
  for (const row of table) values.push(row.value as number);
  return table.numRows + values.length;
}
main().catch((e: unknown) => { if (e instanceof TracklabError) console.log(e.code); });
`;

test('the package types compile under tslab\'s TypeScript 5.0 with its options', () => {
  assert.match(ts.version, /^5\.0\./);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-ts50-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repo, path.join(dir, 'node_modules', 'tracklab'), 'dir');
  const file = path.join(dir, 'cell.ts');
  fs.writeFileSync(file, cell);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    skipLibCheck: true,
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(repo, 'node_modules', '@types')],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  assert.deepEqual(diagnostics, []);
  // Every .d.ts the package ships must at least parse under 5.0.
  const distTypes = program.getSourceFiles().filter((f) => f.fileName.includes('/dist/src/'));
  assert.ok(distTypes.length > 3, 'the program should load the package .d.ts files');
  fs.rmSync(dir, { recursive: true, force: true });
});
