/**
 * Input rules of the model registry, checked once at the top of each
 * RegistryClient operation. Alias rules are MLflow's
 * (`mlflow/utils/validation.py`): `^[\w\-]*$`, at most 255 characters,
 * `latest` (any case) and `v<N>` / `V<N>` reserved. Model names are stricter
 * than MLflow's so that `models:/<name>/<version>` and `models:/<name>@<alias>`
 * always parse one way.
 */
import { TracklabError } from '../errors';
import { validateOptionNames } from '../option-names';
import { charLength, Limits } from '../validation';

/** The registry's share of validation.ts's Limits (kept under this name for callers that import it). */
export const RegistryLimits = {
  modelNameLength: Limits.modelNameLength,
  aliasLength: Limits.aliasLength,
  descriptionLength: Limits.modelDescriptionLength,
} as const;

const ALIAS_CHARS = /^[\w-]*$/;
const VERSION_ALIAS = /^v\d+$/i;
// eslint-disable-next-line no-control-regex
const NAME_FORBIDDEN = /[/\\@:%#?;\u0000-\u001f\u007f]/;

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** Throws INVALID_PARAMETER_VALUE unless `name` can name a registered model. */
export function validateModelName(name: unknown, what = 'Registered model name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`${what} must be a non-empty string, got ${name === '' ? 'an empty string' : typeof name}. Example: "churn-classifier".`);
  }
  if (charLength(name, RegistryLimits.modelNameLength) > RegistryLimits.modelNameLength) {
    throw invalid(`${what} ${shown(name)} has ${charLength(name)} characters; the limit is ${RegistryLimits.modelNameLength}. Choose a shorter name.`);
  }
  const bad = NAME_FORBIDDEN.exec(name);
  if (bad) {
    const ch = bad[0].charCodeAt(0) < 0x20 || bad[0] === '\u007f' ? 'a control character' : `"${bad[0]}"`;
    throw invalid(`${what} ${shown(name)} contains ${ch}. Model names may not contain / \\ @ : % # ? ; or control characters, `
      + 'because they would make models:/<name>/<version> and models:/<name>@<alias> ambiguous.');
  }
  if (name.trim() !== name) throw invalid(`${what} ${shown(name)} starts or ends with white space; remove it.`);
  if (name === '.' || name === '..') throw invalid(`${what} cannot be "${name}".`);
}

/** Throws INVALID_PARAMETER_VALUE unless `alias` may be set (MLflow's rules). */
export function validateAlias(alias: unknown): asserts alias is string {
  if (typeof alias !== 'string' || alias.length === 0) {
    throw invalid(`A model alias must be a non-empty string, got ${alias === '' ? 'an empty string' : typeof alias}. Example: "champion".`);
  }
  if (!ALIAS_CHARS.test(alias)) {
    throw invalid(`Invalid alias name ${shown(alias)}: aliases may only contain letters, digits, underscores (_) and dashes (-).`);
  }
  if (charLength(alias, RegistryLimits.aliasLength) > RegistryLimits.aliasLength) {
    throw invalid(`Alias ${shown(alias)} has ${charLength(alias)} characters; the limit is ${RegistryLimits.aliasLength}.`);
  }
  if (alias.toLowerCase() === 'latest') {
    throw invalid(`The alias "${alias}" is reserved (in any case): models:/<name>/latest always means the newest version. Choose another alias, e.g. "champion".`);
  }
  if (VERSION_ALIAS.test(alias)) {
    throw invalid(`The alias "${alias}" is reserved: v<number> names a version. Choose an alias that is not "v" followed by digits, e.g. "champion".`);
  }
}

/** Accepts 3 or "3" (MLflow passes versions as strings); returns the number. */
export function validateVersion(version: unknown): number {
  const n = typeof version === 'string' && /^\d+$/.test(version.trim()) ? Number(version.trim()) : version;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw invalid(`A model version must be a whole number from 1, got ${shown(version)}.`);
  }
  return n;
}

export function validateDescription(description: unknown): string | null {
  if (description === null || description === undefined) return null;
  if (typeof description !== 'string') throw invalid(`A description must be a string, got ${typeof description}.`);
  if (charLength(description, RegistryLimits.descriptionLength) > RegistryLimits.descriptionLength) {
    throw invalid(`The description has ${charLength(description)} characters; the limit is ${RegistryLimits.descriptionLength}.`);
  }
  return description;
}

/**
 * The description of an update object: a string sets it, null clears it, and
 * an update without the key leaves it as it is (undefined). Other keys are refused.
 */
export function validateDescriptionUpdate(operation: string, update: unknown): string | null | undefined {
  if (update === null || typeof update !== 'object' || Array.isArray(update)) {
    throw invalid(`An update must be an object such as { description: 'retrained weekly' } ({ description: null } clears it), got ${update === null ? 'null' : typeof update}.`);
  }
  // A misspelt key (`descripton`) would otherwise change nothing without a word.
  validateOptionNames<{ description?: string | null }>(operation, update, { description: true });
  const description = (update as { description?: unknown }).description;
  return description === undefined ? undefined : validateDescription(description);
}

/** Who registered a version: the OS user by default, or a name a caller passes (a server's signed-in user). */
export function validateUserId(userId: unknown): string | undefined {
  if (userId === undefined) return undefined;
  if (typeof userId !== 'string' || userId.trim() === '') {
    throw invalid(`A version's userId must be a non-empty string, got ${userId === '' ? 'an empty string' : typeof userId}. Omit it to record the OS user.`);
  }
  if (charLength(userId, 256) > 256) throw invalid(`The userId ${shown(userId)} has ${charLength(userId)} characters; the limit is 256.`);
  return userId;
}
