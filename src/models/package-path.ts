/**
 * Paths named inside a model package (MLmodel fields such as `model_dir`,
 * `code`, `saved_input_example_info.artifact_path`) come from files that may
 * have been tampered with. Each must be a plain relative path that resolves,
 * after symlinks, inside the package directory (MLflow CVE-2023-1177 class).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracklabError } from '../errors';

/** Rejects traversal, absolute paths, backslashes, drive letters, NUL and percent-encoding tricks. */
export function checkRelativePath(rel: unknown, what: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 1024) {
    throw unsafe(what, rel, 'it must be a non-empty relative path');
  }
  let decoded = rel;
  for (let i = 0; i < 4 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try { decoded = decodeURIComponent(decoded); } catch { break; }
  }
  for (const candidate of [rel, decoded]) {
    if (candidate.includes('\0')) throw unsafe(what, rel, 'it contains a NUL byte');
    if (candidate.includes('\\')) throw unsafe(what, rel, 'it contains a backslash');
    if (candidate.startsWith('/') || /^[a-z]:/i.test(candidate)) throw unsafe(what, rel, 'it is absolute');
    if (candidate.split('/').some((seg) => seg === '..')) throw unsafe(what, rel, 'it has a ".." segment');
    if (/[#?;]/.test(candidate)) throw unsafe(what, rel, 'it contains #, ? or ;');
  }
  if (decoded !== rel) throw unsafe(what, rel, 'it is percent-encoded');
  return rel;
}

/**
 * Resolves `rel` under `dir` and returns the real path, refusing anything
 * that lands outside `dir` once symlinks are followed.
 */
export function resolveInsidePackage(dir: string, rel: unknown, what: string): string {
  const clean = checkRelativePath(rel, what);
  const root = fs.realpathSync(dir);
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, clean));
  } catch (err) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST', `The model package has no file "${clean}" (${what}); the package is incomplete.`, { cause: err });
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw unsafe(what, rel, 'it resolves outside the model package (symlink)');
  }
  return real;
}

function unsafe(what: string, rel: unknown, why: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `Refusing ${what} ${JSON.stringify(rel)}: ${why}. Paths inside a model package must stay inside it.`);
}
