/**
 * Tokenizer for search filters and order-by clauses. Context-free: the parser
 * decides whether a word is a key or a keyword.
 */
import { describeFound, syntaxError } from './search-error';

/** One piece of a word: plain text, or text that was inside backticks or double quotes. */
export interface WordSegment {
  readonly text: string;
  readonly quote: '`' | '"' | null;
}

export type Token =
  | { readonly kind: 'word'; readonly start: number; readonly end: number; readonly raw: string; readonly segments: readonly WordSegment[] }
  | { readonly kind: 'string'; readonly start: number; readonly end: number; readonly raw: string; readonly value: string; readonly quote: "'" | '"' }
  | { readonly kind: 'number'; readonly start: number; readonly end: number; readonly raw: string; readonly value: number }
  | { readonly kind: 'op'; readonly start: number; readonly end: number; readonly raw: string }
  | { readonly kind: '(' | ')' | ','; readonly start: number; readonly end: number; readonly raw: string }
  | { readonly kind: 'eof'; readonly start: number; readonly end: number; readonly raw: '' };

export type TokenKind = Token['kind'];

// Keys may hold MLflow's name characters (`/\w.- :` minus the space) unquoted.
const WORD_START = /[\p{L}_`]/u;
const WORD_CHAR = /[\p{L}\p{N}_.\-/:]/u;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPERATORS = ['!=', '<=', '>=', '<>', '==', '=', '<', '>'] as const;

/** Splits `source` into tokens; the last one is always `eof`. `what` names the input in errors ("filter", "order_by clause"). */
export function tokenize(source: string, what = 'filter'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, start, end: i + 1, raw: c });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', start, end: i + op.length, raw: op });
      i += op.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, end } = readQuoted(source, i, c, what);
      tokens.push({ kind: 'string', start, end, raw: source.slice(start, end), value, quote: c });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(source);
    if (num !== null) {
      const end = i + num[0].length;
      if (end < source.length && WORD_CHAR.test(source[end]) && source[end] !== '-') {
        throw syntaxError(source, start, `'${source.slice(start, wordEnd(source, end))}' is not a number; quote text values ('like this').`, what);
      }
      tokens.push({ kind: 'number', start, end, raw: num[0], value: Number(num[0]) });
      i = end;
      continue;
    }
    if (WORD_START.test(c)) {
      const word = readWord(source, i, what);
      tokens.push({ kind: 'word', start, end: word.end, raw: source.slice(start, word.end), segments: word.segments });
      i = word.end;
      continue;
    }
    throw syntaxError(source, start, `unexpected character ${describeFound(c)}.`, what);
  }
  tokens.push({ kind: 'eof', start: source.length, end: source.length, raw: '' });
  return tokens;
}

function wordEnd(source: string, from: number): number {
  let i = from;
  while (i < source.length && WORD_CHAR.test(source[i])) i++;
  return i;
}

/** `value` as a single-quoted string of the filter grammar, read back as exactly `value` (see readQuoted). */
export function quoteFilterValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Reads a quoted run starting at `open`. A doubled quote or a backslash escapes the quote character. */
function readQuoted(source: string, open: number, quote: string, what: string): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\' && (source[i + 1] === quote || source[i + 1] === '\\')) {
      value += source[i + 1];
      i += 2;
    } else if (c === quote && source[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (c === quote) {
      return { value, end: i + 1 };
    } else {
      value += c;
      i++;
    }
  }
  const name = quote === '`' ? 'backtick' : quote === '"' ? 'double quote' : 'quote';
  throw syntaxError(source, open, `unterminated ${quote === '`' ? 'quoted key' : 'string'}: add the closing ${name} (${quote}).`, what);
}

function readWord(source: string, from: number, what: string): { end: number; segments: WordSegment[] } {
  const segments: WordSegment[] = [];
  let plain = '';
  let i = from;
  const flush = (): void => {
    if (plain !== '') segments.push({ text: plain, quote: null });
    plain = '';
  };
  while (i < source.length) {
    const c = source[i];
    // A double quote opens a quoted key only right after the entity dot (`params."a b"`); elsewhere it starts a string value.
    if (c === '`' || (c === '"' && source[i - 1] === '.' && i > from)) {
      flush();
      const q = readQuoted(source, i, c, what);
      segments.push({ text: q.value, quote: c });
      i = q.end;
    } else if (WORD_CHAR.test(c)) {
      plain += c;
      i++;
    } else {
      break;
    }
  }
  flush();
  return { end: i, segments };
}

/** The keyword a word spells (upper case), or undefined when it is quoted or not a keyword. */
export function keywordOf(token: Token): string | undefined {
  if (token.kind !== 'word' || token.segments.length !== 1 || token.segments[0].quote !== null) return undefined;
  const upper = token.segments[0].text.toUpperCase();
  return KEYWORDS.has(upper) ? upper : undefined;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'ASC', 'DESC']);
