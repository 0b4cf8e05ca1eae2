/**
 * Every command `tracklab --help` lists, as a real process: its own --help
 * has a usage line, a summary, an Options section naming every option of
 * the usage line, and an example; and the README's command list names it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCliProcess } from '../support/cli-io';
import { repoRoot } from '../support/jupyter';

const GLOBAL = new Set(['--tracking-uri', '--home', '--artifact-root', '--help']);

/** `tracklab A [B] ...` usage lines of the top-level help, as command names (up to two lowercase words). */
function listedCommands(help: string): string[] {
  return help.split('\n').flatMap((line) => {
    const m = /^ {2}tracklab ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)(?= |$)/.exec(line);
    return m ? [m[1]!] : [];
  });
}

/** The lines of the README's command list (the first code block under "## Command line"). */
function readmeCommandLines(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Command line'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has a command list');
  return block[1]!.split('\n').filter((l) => l.startsWith('tracklab '));
}

/** A line names `name` when it starts with its first word and holds the second as a word (`runs delete ... | restore ...`). */
function readmeNames(lines: readonly string[], name: string): boolean {
  const [first, second] = name.split(' ');
  return lines.some((l) => new RegExp(`^tracklab ${first}(?![\\w-])`).test(l) && (second === undefined || new RegExp(`[\\s|]${second}(?![\\w-])`).test(l)));
}

test('every command tracklab --help lists has a --help with usage, summary, options and an example, and is in the README', { timeout: 120_000 }, async () => {
  const top = await runCliProcess(['--help'], {});
  assert.equal(top.code, 0, top.stderr);
  const names = listedCommands(top.stdout);
  assert.ok(names.length >= 20 && names.includes('sync') && names.includes('runs delete'), names.join(', '));
  const readme = readmeCommandLines();
  const helps = await Promise.all(names.map((name) => runCliProcess([...name.split(' '), '--help'], {})));
  for (const [i, name] of names.entries()) {
    const { code, stdout, stderr } = helps[i]!;
    assert.equal(code, 0, `${name} --help: ${stderr}`);
    const [usagePart = '', optionsPart = '', examplesPart = ''] = stdout.split(/^(?:Options|Examples):$/m);
    assert.match(usagePart, new RegExp(`^Usage:\\n {2}tracklab ${name}`), `${name}: a usage line`);
    assert.match(usagePart, /^ {4}\S/m, `${name}: a summary of what it does`);
    assert.match(optionsPart, /^ {2}(?:-|\(none of its own\))/m, `${name}: an Options section`);
    const usage = usagePart.split(/^ {4}\S/m)[0]!;
    for (const option of new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])) {
      if (!GLOBAL.has(option)) assert.match(optionsPart, new RegExp(`^ {2}(?:-\\w, )?[^\\n]*${option}(?![\\w-])`, 'm'), `${name}: the Options section explains ${option}`);
    }
    assert.match(examplesPart, new RegExp(`^ {2}tracklab (?:--\\S+ \\S+ )?${name.split(' ')[0]}`, 'm'), `${name}: an example`);
    assert.ok(readmeNames(readme, name), `the README's command list names "tracklab ${name}"`);
  }
});

test("the README's migrate-store line shows every option of its usage line, --merge included", async () => {
  const { code, stdout, stderr } = await runCliProcess(['migrate-store', '--help'], {});
  assert.equal(code, 0, stderr);
  const usage = stdout.split(/^Options:$/m)[0]!.split(/^ {4}\S/m)[0]!;
  const line = readmeCommandLines().find((l) => l.startsWith('tracklab migrate-store ')) ?? '';
  for (const option of new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])) assert.ok(line.includes(option), `README: ${line} lacks ${option}`);
});
