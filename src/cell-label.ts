/**
 * How run status messages name a notebook cell. Shared by the kernel side
 * (notebook/headless.ts) and the runner (projects/), which do not import
 * each other.
 */

/** The first non-blank line of a cell's source, trimmed. */
export function firstLine(source: string): string {
  return (source.split('\n').find((l) => l.trim() !== '') ?? '').trim();
}

/**
 * `Cell 4 [3] \`first line\``. The position in the notebook (`index`) is
 * known to the runner, not to the kernel.
 */
export function cellLabel(index: number | undefined, executionCount: number | null, source: string): string {
  const at = index === undefined ? '' : ` ${index}`;
  const count = executionCount === null ? '' : ` [${executionCount}]`;
  const line = firstLine(source);
  const shown = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  return `Cell${at}${count}${shown ? ` \`${shown}\`` : ''}`;
}
