/** Argument parsing for the CLI: node's parseArgs plus usage errors that say the fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cliMsg } from './messages';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes, anywhere on the line (main.ts splits them off before a command parses the rest). */
export const GLOBAL_OPTIONS = { '--home': 'a store folder', '--tracking-uri': 'a tracking URI or store folder', '--artifact-root': 'a folder or file:///… URI' } as const;

/**
 * MLflow's names for options we spell differently, with ours in order of
 * preference (the first one the command takes is suggested). People arrive
 * with MLflow's `mlflow server` line in their fingers or their scripts.
 */
const MLFLOW_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  '--backend-store-uri': ['--tracking-uri'],
  '--default-artifact-root': ['--artifacts-destination', '--artifact-root'],
  '--app-name': ['--auth'],
};

/** `mlflow server` options with no counterpart to suggest, and why they are not needed (said only to `tracklab server`, the command that takes --artifacts-destination). */
const MLFLOW_ONLY_OPTIONS: Readonly<Record<string, string>> = {
  '--serve-artifacts': 'tracklab server serves artifacts whenever it has an artifact folder (--artifacts-destination, or the store\'s own)',
  '--no-serve-artifacts': 'tracklab server serves artifacts whenever it has an artifact folder (--artifacts-destination, or the store\'s own)',
  '--workers': 'tracklab server is one process (Node.js serves requests concurrently)',
  '--gunicorn-opts': 'tracklab server is one process, not run through gunicorn',
  '--waitress-opts': 'tracklab server is one process, not run through waitress',
};

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export function parse(argv: readonly string[], options: Options, maxPositionals = Infinity): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    throw new UsageError(usageMessage(err as Error & { code?: string }, options, maxPositionals > 0));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(cliMsg.unexpectedArgument(parsed.positionals[maxPositionals]!));
  }
  return parsed;
}

/**
 * Our own wording for parseArgs errors: its messages name the error code
 * first, and the unknown-option one ends in unbalanced quotes (`'-- "--x"`).
 */
function usageMessage(err: Error & { code?: string }, options: Options, takesArguments: boolean): string {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const known = [
        ...Object.entries(options).map(([name, o]) => `${o.short ? `-${o.short}/` : ''}--${name}${o.type === 'string' ? ' VALUE' : ''}`),
        ...Object.keys(GLOBAL_OPTIONS).map((name) => `${name} VALUE`),
        '--help',
      ];
      const name = option.split('=')[0]!;
      const ours = MLFLOW_OPTIONS[name]?.find((o) => o in GLOBAL_OPTIONS || options[o.slice(2)] !== undefined);
      if (ours !== undefined) return cliMsg.mlflowOption(name, ours, known);
      if (MLFLOW_ONLY_OPTIONS[name] !== undefined && options['artifacts-destination'] !== undefined) return cliMsg.mlflowOnlyOption(name, MLFLOW_ONLY_OPTIONS[name]!, known);
      return cliMsg.unknownOption(option, known, takesArguments);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return cliMsg.optionTakesNoValue(option);
      if (/ambiguous/.test(err.message)) return cliMsg.optionValueStartsWithDash(option);
      return cliMsg.optionNeedsValue(option);
    default:
      return err.message.replace(/^.*?:\s*/, '');
  }
}

export function str(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strings(parsed: Parsed, name: string): string[] {
  const v = parsed.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

export function int(parsed: Parsed, name: string, fallback: number): number {
  const v = str(parsed, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} takes a positive whole number, got "${v}".`);
  return n;
}

/** `--port`: 0 to 65535 (0 picks a free port), 5000 when absent. */
export function portOf(text: string | undefined): number {
  if (text === undefined) return 5000;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`--port takes a whole number from 0 to 65535 (0 picks a free port), got "${text}".`);
  return n;
}
