/**
 * The run journal (schema migration 6): a new run's params, tags and final
 * points go into one `run_journal` row beside its `runs` row, instead of
 * dozens of rows over params, tags, metric_blocks, metric_summaries, their
 * search indexes and their foreign-key checks. On a server that was most of
 * a short run's cost: the same rows spread over the tables took 1.1 ms a run,
 * the run row and one journal row 0.27 ms.
 *
 * `tracklab_fold_journal` moves entries into those tables. Every read of
 * them folds first (all entries for a search, the runs named for a run or
 * its history), and every write next to a run's data folds that run first,
 * so readers in any process see exactly what they would have seen without
 * the journal, and a journaled key is always older than a stored one. A
 * store also folds on its own shortly after it stops creating runs, so the
 * journal stays short when nothing reads.
 */
import type { Query } from './connection';
import { literal } from './connection';

/** The journal columns createRun fills, in order, after run_id. */
export const JOURNAL_COLUMNS = `param_keys, param_values, tag_keys, tag_values,
  block_keys, block_ns, block_first_steps, block_last_steps, block_offsets, block_lengths, block_data,
  summary_keys, summary_last_values, summary_last_steps, summary_last_timestamps, summary_mins, summary_maxes, summary_counts`;

/** Their parameter types, from `$first`. */
export function journalValues(first: number): string {
  const types = ['text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'integer[]', 'bigint[]', 'bigint[]', 'integer[]', 'integer[]', 'bytea',
    'text[]', 'float8[]', 'bigint[]', 'bigint[]', 'float8[]', 'float8[]', 'bigint[]'];
  return types.map((type, i) => `$${first + i}::${type}`).join(', ');
}

/** Folds the entries of `runIds` (all entries when null) into the run tables. */
export async function foldJournal(q: Query, runIds: readonly string[] | null): Promise<void> {
  await q({ name: 'fold-journal', text: 'SELECT tracklab_fold_journal($1::text[])' }, [runIds]);
}

/** The same as one statement of literal SQL, to go before a statement that takes no parameters (a COPY) in one round trip. */
export function foldJournalSql(runIds: readonly string[] | null): string {
  return `SELECT tracklab_fold_journal(${runIds === null ? 'NULL' : `ARRAY[${runIds.map(literal).join(', ')}]::text[]`})`;
}
