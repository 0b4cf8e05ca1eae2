import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A code cell as nbformat 4.5 JSON; tags mark papermill-style roles. */
export function code(source: string, tags: string[] = []): Record<string, unknown> {
  return { cell_type: 'code', source, metadata: tags.length ? { tags } : {}, execution_count: null, outputs: [] };
}

export function markdown(source: string): Record<string, unknown> {
  return { cell_type: 'markdown', source, metadata: {} };
}

/** Writes a notebook (cells without ids, as older notebooks have) into a fresh temp folder. */
export function writeTempNotebook(cells: Record<string, unknown>[], name = 'demo.ipynb'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const file = path.join(dir, name);
  const nb = {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    cells,
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  return file;
}

/** Python's nbformat validator (Debian's python3-nbformat); throws with its message when invalid. */
export const VALIDATE_PY = 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")';
