/**
 * Progress of a long CLI operation on stderr: one line each time a phase
 * starts, passes another tenth, or ends. Plain lines (no carriage returns)
 * read the same in a terminal, a log file and a test.
 */
import type { Io } from '../output';

export interface Step {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  /** Shown after the counts, e.g. "1.2 MB". */
  readonly detail?: string;
}

export function progressPrinter(io: Io, label: string, unit: (phase: string) => string): (step: Step) => void {
  let lastPhase = '';
  let lastTenth = -1;
  return ({ phase, done, total, detail }) => {
    const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
    if (phase === lastPhase && tenth === lastTenth) return;
    lastPhase = phase;
    lastTenth = tenth;
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    io.err(`${label}: ${phase} ${percent}% (${done}/${total} ${unit(phase)})${detail ? `, ${detail}` : ''}`);
  };
}

/** Bytes for people: 1536 -> "1.5 KB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
