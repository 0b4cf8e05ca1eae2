import type { Output } from './nbformat';

export interface CellErrorInfo {
  readonly ename: string;
  readonly evalue: string;
}

// `TypeError: boom`, `Error [ERR_X]: text`, `RangeError: async bad`
const ERROR_LINE = /^([A-Za-z_$][\w$.]*)(?: \[[^\]]*\])?: ?(.*)$/;
const ERROR_NAME = /(Error|Exception|Interrupt)$/;
// tslab prints TypeScript diagnostics as `1:7 - Type 'string' is not assignable ...`
const DIAGNOSTIC_LINE = /^(?:\S+ )?\d+:\d+ - (.*)$/;

/**
 * Names the error of a failed tslab cell. tslab sends no iopub `error`
 * message and an execute_reply without ename/evalue; it prints the error
 * (a thrown value, or TypeScript diagnostics) to the cell's stderr. So the
 * kernel's own fields win when present, then an `error` output, then the
 * stderr text is read.
 */
export function describeCellError(reply: { readonly ename?: string; readonly evalue?: string }, outputs: readonly Output[]): CellErrorInfo {
  if (reply.ename) return { ename: reply.ename, evalue: reply.evalue ?? '' };
  const errorOutput = outputs.find((o) => o.output_type === 'error');
  if (errorOutput?.output_type === 'error') return { ename: errorOutput.ename, evalue: errorOutput.evalue };
  const stderr = outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map((o) => (o.output_type === 'stream' ? o.text : ''))
    .join('');
  const lines = stderr.split('\n').map((l) => l.trimEnd());
  const diagnostics = lines.map((l) => DIAGNOSTIC_LINE.exec(l)?.[1]).filter((m): m is string => m !== undefined);
  if (diagnostics.length > 0) return { ename: 'TSError', evalue: diagnostics.join('\n') };
  // The thrown error is printed last; earlier matches may be the cell's own logging.
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = ERROR_LINE.exec(lines[i]!);
    if (m && ERROR_NAME.test(m[1]!)) return { ename: m[1]!, evalue: m[2]! };
  }
  // `throw "plain"` prints just the value.
  const first = lines.find((l) => l.trim() !== '');
  return { ename: 'Error', evalue: first ?? 'The cell failed and the kernel printed nothing.' };
}
