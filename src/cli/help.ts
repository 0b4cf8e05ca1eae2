/** Help text wrapped to the terminal: usage lines break between options, never inside `[...]`. */
import type { CommandDetails } from './command-help';

/** Splits a usage line into words, keeping bracketed groups (`[-e EXP]...`) whole. */
export function usageWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ' ' && depth === 0) {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/** Fills `words` into lines of at most `width` columns: the first indented by `first`, the rest by `rest`. */
export function fill(words: readonly string[], width: number, first: number, rest: number): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(first);
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(rest);
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}

export interface HelpEntry {
  readonly usage: string;
  readonly summary: string;
}

/** One entry: its usage (continued 6 columns in), then its summary 4 columns in. */
export function helpEntry(entry: HelpEntry, width: number): string[] {
  return [
    ...fill(usageWords(entry.usage), width, 2, 6),
    ...fill(entry.summary.split(' '), width, 4, 4),
  ];
}

/** Option names are padded to this many columns at most; a longer name puts its text on the next line. */
const OPTION_COLUMN = 26;

/** `tracklab COMMAND --help`: usage and summary, the command's options, the global ones, and examples. */
export function commandHelp(entry: HelpEntry & CommandDetails, width: number): string {
  const options = entry.options.flatMap(([name, text]) => {
    const words = text.split(' ');
    if (name.length + 4 > OPTION_COLUMN) return [`  ${name}`, ...fill(words, width, OPTION_COLUMN, OPTION_COLUMN)];
    const [first, ...rest] = fill(words, width, OPTION_COLUMN, OPTION_COLUMN);
    return [`  ${name.padEnd(OPTION_COLUMN - 2)}${first!.trimStart()}`, ...rest];
  });
  return [
    'Usage:', ...helpEntry(entry, width), '',
    'Options:', ...(options.length ? options : ['  (none of its own)']),
    ...fill('Global options: --tracking-uri URI, --home DIR, --artifact-root DIR (see tracklab --help).'.split(' '), width, 2, 4), '',
    'Examples:', ...entry.examples.flatMap((e) => fill(usageWords(e), width, 2, 6)),
  ].join('\n');
}
