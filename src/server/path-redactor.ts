/**
 * Error answers never name the server's folders. Store and file errors are
 * written for a local user ("the disk holding /srv/artifacts/tmp is full"),
 * and the same TracklabError reaches a remote client through the server; there
 * the folder layout is the operator's business (and a map for an attacker).
 * The server's log keeps the full text.
 *
 * Each folder is replaced by a name for it, in its given and its real
 * (symlinks resolved) spelling, longest first so a folder inside another is
 * named for the inner one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ServerFolder {
  readonly folder: string;
  /** What an answer says instead, e.g. `<artifact root>`. */
  readonly name: string;
}

export type PathRedactor = (text: string) => string;

/** @example redactor([{ folder: '/srv/a', name: '<artifact root>' }])('missing from /srv/a/sha256') // 'missing from <artifact root>/sha256' */
export function pathRedactor(folders: readonly ServerFolder[]): PathRedactor {
  const pairs: { spelling: string; name: string }[] = [];
  for (const { folder, name } of folders) {
    const absolute = path.resolve(folder);
    if (absolute === path.parse(absolute).root) continue; // "/" would redact every path-like text
    for (const spelling of new Set([absolute, realPath(absolute)])) pairs.push({ spelling, name });
  }
  pairs.sort((a, b) => b.spelling.length - a.spelling.length);
  return (text) => {
    let out = text;
    for (const { spelling, name } of pairs) out = out.split(spelling).join(name);
    return out;
  };
}

/** The folders every server has besides its stores: the temp folder, the working folder and home. */
export function processFolders(): ServerFolder[] {
  return [
    { folder: os.tmpdir(), name: '<temp>' },
    { folder: process.cwd(), name: '<server folder>' },
    { folder: os.homedir(), name: '<home>' },
  ];
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
