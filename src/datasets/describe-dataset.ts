/**
 * Turns what the user passes to `logInput` into a Dataset record: name,
 * digest, source, schema, row count and profile.
 */
import * as path from 'node:path';
import type * as Arrow from 'apache-arrow';
import type { Dataset, DatasetSourceType } from '../entities';
import { TracklabError } from '../errors';
import { quote } from '../messages';
import { charLength, checkLength, Limits, validateKey } from '../validation';
import { checkDatasetFile, fileFacts } from './file-dataset';
import { isArrowTable, rowsFacts, tableFacts } from './table-dataset';

/** An apache-arrow Table, an array of row objects, or a path to a CSV/TSV, JSON, JSON lines or Arrow file. */
export type DatasetSource = Arrow.Table | readonly Readonly<Record<string, unknown>>[] | string;

export interface LogInputOptions {
  /** What the run used it for: 'training', 'validation', 'test', ... */
  readonly context?: string;
  /** Default: the file name for files, "dataset" otherwise. */
  readonly name?: string;
  /** Where in-memory data came from (a URL, a query), recorded as the source. */
  readonly source?: string;
}

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

/** Checks the options once, before any data is read. */
export function checkInputOptions(options: LogInputOptions): void {
  if (options === null || typeof options !== 'object') throw invalid('logInput options must be an object like { context: "training", name: "iris" }.');
  if (options.name !== undefined) validateKey('Tag', options.name);
  if (options.context !== undefined) {
    if (typeof options.context !== 'string' || options.context === '' || charLength(options.context, Limits.datasetContextLength) > Limits.datasetContextLength) {
      throw invalid(`A dataset context is a non-empty string of at most ${Limits.datasetContextLength} characters, like "training"; got ${quote(String(options.context))}.`);
    }
  }
  if (options.source !== undefined && (typeof options.source !== 'string' || charLength(options.source, Limits.datasetSourceLength) > Limits.datasetSourceLength)) {
    throw invalid(`A dataset source is a string of at most ${Limits.datasetSourceLength} characters (a URL or a path).`);
  }
}

/**
 * Describes a dataset without storing anything. Same data, same digest.
 *
 * @example
 * const d = describeDataset([{ x: 1, y: 2 }], { name: 'toy' });
 * d.digest; // sha256 of the rows' canonical JSON
 */
export function describeDataset(data: DatasetSource, options: LogInputOptions = {}): Dataset {
  checkInputOptions(options);
  let sourceType: DatasetSourceType;
  let source: string;
  let facts;
  let defaultName = 'dataset';
  if (typeof data === 'string') {
    const file = checkDatasetFile(data);
    sourceType = 'file';
    source = file;
    defaultName = path.basename(file);
    facts = fileFacts(file);
  } else if (isArrowTable(data)) {
    sourceType = 'arrow';
    source = options.source ?? 'in-memory Arrow table';
    facts = tableFacts(data);
  } else if (Array.isArray(data)) {
    sourceType = 'rows';
    source = options.source ?? 'in-memory rows';
    facts = rowsFacts(data);
  } else {
    throw invalid('logInput takes an apache-arrow Table, an array of row objects, or a file path (CSV, TSV, JSON, JSON lines, Arrow).');
  }
  // MLflow's limits on what a dataset record holds, checked once the data has been read.
  checkLength('The dataset source', source, Limits.datasetSourceLength);
  if (facts.schema !== null) checkLength('The dataset schema (as JSON)', JSON.stringify(facts.schema), Limits.datasetSchemaLength);
  if (facts.profile !== null) checkLength('The dataset profile (as JSON)', JSON.stringify(facts.profile), Limits.datasetProfileLength);
  return { name: options.name ?? Array.from(defaultName).slice(0, Limits.keyLength).join(''), sourceType, source, ...facts };
}
