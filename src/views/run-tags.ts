/**
 * How a run's tags are shown: the note (`tracklab.note`, MLflow's
 * `mlflow.note.content`) apart from the rest, provenance (git, versions, OS,
 * dependencies, lockfile) grouped on its own, and the long dependencies JSON
 * summarised so it never swamps a table. Pure: tags in, rows out.
 */

/** The tag a run's note lives in. Set it with `run.setTag('tracklab.note', text)`. */
export const NOTE_TAG = 'tracklab.note';

const DEPENDENCIES_TAG = 'tracklab.dependencies';
const PROVENANCE_PREFIXES = ['tracklab.git.', 'tracklab.version.', 'tracklab.lockfile'];
const PROVENANCE_KEYS = new Set(['tracklab.os', DEPENDENCIES_TAG]);

/** The run's note, or undefined when it has none (or only whitespace). */
export function noteOf(tags: Readonly<Record<string, string>>): string | undefined {
  const note = tags[NOTE_TAG];
  return note !== undefined && note.trim() !== '' ? note : undefined;
}

/** Whether a tag describes where the run's code and environment came from. */
export function isProvenanceTag(key: string): boolean {
  return PROVENANCE_KEYS.has(key) || PROVENANCE_PREFIXES.some((p) => key.startsWith(p));
}

export interface TagGroups {
  /** Provenance tags, git first, then versions, OS, dependencies and lockfile; values shortened for display. */
  readonly provenance: readonly (readonly [string, string])[];
  /** Every other tag but the note, by key. */
  readonly other: readonly (readonly [string, string])[];
}

/**
 * Splits tags into provenance and the rest for display. The dependencies tag
 * becomes "N packages" (its full JSON stays in the run's data).
 *
 * @example
 * const { provenance, other } = groupTags(run.data.tags);
 */
export function groupTags(tags: Readonly<Record<string, string>>, options: { dependenciesHint?: string } = {}): TagGroups {
  const provenance: [string, string][] = [];
  const other: [string, string][] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key === NOTE_TAG) continue;
    if (!isProvenanceTag(key)) other.push([key, value]);
    else provenance.push([key, key === DEPENDENCIES_TAG ? dependenciesSummary(value) + (options.dependenciesHint ?? '') : value]);
  }
  other.sort(([a], [b]) => a.localeCompare(b));
  provenance.sort(([a], [b]) => provenanceRank(a) - provenanceRank(b) || a.localeCompare(b));
  return { provenance, other };
}

function provenanceRank(key: string): number {
  if (key.startsWith('tracklab.git.')) return 0;
  if (key.startsWith('tracklab.version.')) return 1;
  if (key === 'tracklab.os') return 2;
  if (key === DEPENDENCIES_TAG) return 3;
  return 4;
}

/**
 * `12 packages` from the dependencies tag (see src/provenance/environment.ts:
 * `{dependencies, devDependencies}` maps, or a list of names when the maps do
 * not fit in a tag), `packages (list cut)` when even that was cut.
 */
export function dependenciesSummary(value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'packages (list cut)';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'packages (unreadable)';
  let count = 0;
  for (const group of [(parsed as Record<string, unknown>).dependencies, (parsed as Record<string, unknown>).devDependencies]) {
    if (Array.isArray(group)) count += group.length;
    else if (typeof group === 'object' && group !== null) count += Object.keys(group).length;
  }
  return `${count} package${count === 1 ? '' : 's'}`;
}
