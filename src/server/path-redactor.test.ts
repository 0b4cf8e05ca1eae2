import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathRedactor } from './path-redactor';

test('server folders are named, the innermost first, in given and real spellings; "/" is never redacted', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-redact-'));
  try {
    const real = path.join(root, 'real');
    fs.mkdirSync(path.join(real, 'artifacts'), { recursive: true });
    const link = path.join(root, 'link');
    fs.symlinkSync(real, link);
    const redact = pathRedactor([
      { folder: link, name: '<store>' },
      { folder: path.join(link, 'artifacts'), name: '<artifact root>' },
      { folder: '/', name: '<root>' },
    ]);
    assert.equal(redact(`missing from ${path.join(link, 'artifacts', 'sha256')}`), 'missing from <artifact root>/sha256');
    assert.equal(redact(`database ${path.join(real, 'tracklab.db')} is locked`), 'database <store>/tracklab.db is locked');
    assert.equal(redact('see /api/2.0/mlflow/runs/get'), 'see /api/2.0/mlflow/runs/get');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
