import { TracklabError } from '../errors';
import { quote } from '../messages';
import { charLength, Limits } from '../validation';

/**
 * The most percent-decoding rounds we follow. `%252e` needs two; an input
 * still changing after this many is an attack, not a file name.
 */
const MAX_DECODE_ROUNDS = 8;

/** Characters MLflow's CVEs (2023-1177, -2780, -6831, 2024-1560) abused, or that URIs treat specially. */
const FORBIDDEN: ReadonlyArray<readonly [string, string]> = [
  ['\u0000', 'a NUL character'],
  ['\\', 'a backslash (use "/" between folders)'],
  ['#', 'a "#"'],
  ['?', 'a "?"'],
  [';', 'a ";"'],
];

function invalid(raw: string, what: string): TracklabError {
  return new TracklabError(
    'INVALID_PARAMETER_VALUE',
    `Artifact path ${quote(raw)} is not allowed: it ${what}. ` +
      'Give a relative path inside the run, with "/" between folders, such as "plots/loss.png".',
  );
}

/** Decodes `%XX` runs; a `%` not followed by two hex digits stays literal. */
function decodeOnce(raw: string, original: string): string {
  return raw.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch (cause) {
      throw new TracklabError('INVALID_PARAMETER_VALUE',
        `Artifact path ${JSON.stringify(original)} has percent-encoding that is not valid UTF-8 (${run}). ` +
        'Use the plain characters instead.', { cause });
    }
  });
}

/**
 * The one validator for artifact-relative paths. Percent-decodes until the
 * text is stable (so `%252e%252e` cannot hide `..`), then refuses `..`
 * segments, absolute paths, drive letters, backslashes, NUL, `#`, `?` and `;`.
 * Empty and `.` segments collapse. Returns the canonical `a/b/c` form.
 *
 * @example
 * normalizeArtifactPath('plots//loss.png'); // 'plots/loss.png'
 * normalizeArtifactPath('%2e%2e/etc/passwd'); // throws INVALID_PARAMETER_VALUE
 */
export function normalizeArtifactPath(p: string): string {
  return normalize(p, false);
}

function normalize(p: string, allowEmpty: boolean): string {
  if (typeof p !== 'string') {
    throw new TracklabError('INVALID_PARAMETER_VALUE',
      `Artifact path must be a string, got ${p === null ? 'null' : typeof p}. Give a relative path such as "plots/loss.png".`);
  }
  let text = p;
  for (let round = 0; ; round++) {
    const next = decodeOnce(text, p);
    if (next === text) break;
    if (round >= MAX_DECODE_ROUNDS) throw invalid(p, `is percent-encoded more than ${MAX_DECODE_ROUNDS} times over`);
    text = next;
  }
  for (const [ch, name] of FORBIDDEN) {
    if (text.includes(ch)) throw invalid(p, `contains ${name}`);
  }
  if (text.startsWith('/')) throw invalid(p, 'is absolute (starts with "/")');
  if (/^[A-Za-z]:/.test(text)) throw invalid(p, 'starts with a drive letter');
  const segments: string[] = [];
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw invalid(p, 'has a ".." segment, which would leave the run\'s folder');
    // Every segment becomes a file or folder name when the run is downloaded.
    if (segment.length * 3 > Limits.artifactSegmentBytes && Buffer.byteLength(segment, 'utf8') > Limits.artifactSegmentBytes) {
      throw invalid(p, `has a segment of ${Buffer.byteLength(segment, 'utf8')} bytes; file and folder names hold at most ${Limits.artifactSegmentBytes} bytes (UTF-8)`);
    }
    segments.push(segment);
  }
  if (segments.length === 0 && !allowEmpty) throw invalid(p, 'names no file (it is empty once "." and empty segments are removed)');
  const joined = segments.join('/');
  if (charLength(joined, Limits.artifactPathLength) > Limits.artifactPathLength) {
    throw invalid(p, `is ${charLength(joined)} characters long; the limit is ${Limits.artifactPathLength} (MLflow's artifact location limit)`);
  }
  return joined;
}

/**
 * Like {@link normalizeArtifactPath} but `undefined`, `''` and `'.'` mean
 * "the whole run" and come back as `''`. For listing prefixes and download roots.
 *
 * @example
 * normalizeArtifactPrefix(undefined); // ''
 * normalizeArtifactPrefix('plots/'); // 'plots'
 */
export function normalizeArtifactPrefix(p: string | undefined): string {
  if (p === undefined) return '';
  return normalize(p, true);
}
