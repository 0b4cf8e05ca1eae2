/**
 * Every search error message is built here, so the wording stays uniform and
 * tests can rely on it. Each one names the offending position and shows the
 * input with a caret under it.
 */
import { TracklabError } from '../errors';

/** Shows the line of `source` that holds `position`, with a caret under it. */
export function caretView(source: string, position: number): string {
  const at = Math.max(0, Math.min(position, source.length));
  const lineStart = source.lastIndexOf('\n', at - 1) + 1;
  const nextBreak = source.indexOf('\n', at);
  const line = source.slice(lineStart, nextBreak === -1 ? source.length : nextBreak);
  // Tabs would shift the caret by a terminal-dependent width, so show them as spaces.
  const shown = line.replace(/[\t\r]/g, ' ');
  return `  ${shown}\n  ${' '.repeat(at - lineStart)}^`;
}

/** A syntax error: `Invalid filter at position P: detail.` plus the caret view. */
export function syntaxError(source: string, position: number, detail: string, what = 'filter'): TracklabError {
  return new TracklabError(
    'INVALID_PARAMETER_VALUE',
    `Invalid ${what} at position ${position}: ${detail}\n${caretView(source, position)}`,
  );
}

/** A well-formed clause that means nothing (bad key, comparator or value): the headline, the position, the caret view. */
export function clauseError(source: string, position: number, headline: string): TracklabError {
  return new TracklabError(
    'INVALID_PARAMETER_VALUE',
    `${headline} (at position ${position})\n${caretView(source, position)}`,
  );
}

/** Describes a token for "found ..." in messages. */
export function describeFound(text: string | undefined): string {
  return text === undefined ? 'end of input' : `'${text}'`;
}
