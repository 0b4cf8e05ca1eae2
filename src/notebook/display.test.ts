/**
 * The bridge outside a kernel (plain Node): displays degrade to text, hooks
 * report that they cannot install. Inside tslab it is tested end to end in
 * test/notebook/kernel-bridge.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellHooksInstalled, errorSummary, installCellHooks } from './cell-hooks';
import { display, newDisplayId } from './display';
import { inKernel, kernelBridge } from './kernel';
import { liveDisplay } from './live-display';

/** Collects what the code under test writes to stdout. */
async function stdoutOf(fn: () => void | Promise<void>): Promise<string> {
  const original = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return text;
}

describe('outside a kernel', () => {
  it('knows it is not in tslab', () => {
    assert.equal(inKernel(), false);
    assert.equal(kernelBridge(), undefined);
    assert.equal(installCellHooks(), false);
    assert.equal(cellHooksInstalled(), false);
  });

  it('prints the text/plain part of a bundle', async () => {
    const out = await stdoutOf(() => {
      display({ data: { 'text/html': '<b>x</b>', 'text/plain': 'plain view' } });
      display({ data: { 'application/vnd.vegalite.v5+json': { mark: 'point' }, 'text/plain': 'chart' } }, { displayId: newDisplayId() });
      display({ data: { 'text/html': '<i>no text</i>' } });
    });
    assert.equal(out, 'plain view\nchart\n');
  });

  it('prints a live display once, in its final state', async () => {
    const out = await stdoutOf(async () => {
      const live = liveDisplay({ minIntervalMs: 0 });
      for (let i = 0; i < 50; i++) live.update({ data: { 'text/plain': `step ${i}` } });
      await live.close();
      live.update({ data: { 'text/plain': 'after close' } });
      await live.close();
    });
    assert.equal(out, 'step 49\n');
  });

  it('renders lazy and async content only for the final state', async () => {
    let renders = 0;
    const out = await stdoutOf(async () => {
      const live = liveDisplay();
      for (let i = 0; i < 10; i++) {
        live.update(async () => {
          renders++;
          return [{ data: { 'text/plain': `part A ${i}` } }, { data: { 'text/plain': `part B ${i}` } }];
        });
      }
      await live.close();
    });
    assert.equal(out, 'part A 9\npart B 9\n');
    assert.equal(renders, 1);
  });

  it('never throws when rendering fails', async () => {
    const live = liveDisplay();
    live.update(() => { throw new Error('render broke'); });
    await live.close();
    assert.equal(live.closed, true);
  });
});

describe('errorSummary', () => {
  it('keeps the error line of what tslab prints for a thrown error', () => {
    const printed = "evalmachine.<anonymous>:3\nthrow new Error('boom');\n^\n\nError: boom\n    at evalmachine.<anonymous>:3:7\n    at Object.execute (/x/tslab/dist/executor.js:160:38) {\n  code: 'E'\n}\n";
    assert.equal(errorSummary(printed), 'Error: boom');
    const parse = "<anonymous_script>:1\n{oops\n ^\n\nSyntaxError: Expected property name or '}' in JSON at position 1\n    at JSON.parse (<anonymous>)\n";
    assert.equal(errorSummary(parse), "SyntaxError: Expected property name or '}' in JSON at position 1");
  });

  it('keeps multi-line messages and compile diagnostics', () => {
    assert.equal(errorSummary('TypeError: line one\nline two\n    at f (x.js:1:1)\n'), 'TypeError: line one\nline two');
    assert.equal(errorSummary("1:7 - Type 'string' is not assignable to type 'number'.\n"), "1:7 - Type 'string' is not assignable to type 'number'.");
    assert.equal(errorSummary(''), null);
  });
});
