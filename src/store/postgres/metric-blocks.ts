/**
 * The one place metric points are written and read back. Each block becomes
 * one `metric_blocks` row (encoded by src/metrics/block-codec.ts) and folds
 * into its (run, key) summary; a whole batch is one statement.
 *
 * Blocks travel as one binary parameter (pg sends a Buffer as bytes, not
 * hex) with offsets, and the server cuts them apart with substring(): one
 * round trip and one copy whatever the number of blocks.
 */
import type { EncodedMetricBlock, MetricColumns, MetricSummary } from '../../entities';
import { TracklabError } from '../../errors';
import { decodeBlock, encodeBlock } from '../../metrics/block-codec';
import { mergeSummaries, summarizeBlock } from '../../metrics/block-summary';
import type { CheckedBlock } from '../../metrics/received-block';
import { type Connection, literal, type Query } from './connection';
import { copyBool, copyRows, copyText } from './copy-binary';
import { assertLoggable, f8, noRun, type RunRow, RUN_COLUMNS } from './rows';

/** Blocks and per-series summaries as statement parameters. */
export interface EncodedBlocks {
  readonly count: number;
  /** metric_blocks columns, one entry per block, in order. */
  readonly blocks: readonly unknown[];
  /** metric_summaries columns, one entry per (run, key), each summary merged over its blocks. */
  readonly summaries: readonly unknown[];
  readonly runIds: readonly string[];
}

/**
 * Validates, summarises and encodes blocks. Throws INVALID_PARAMETER_VALUE
 * (steps or timestamps out of range, unequal columns)
 * before anything is sent.
 */
export function encodeBlocks(blocks: readonly MetricColumns[]): EncodedBlocks {
  const checked: CheckedBlock[] = [];
  for (const { runId, key, steps, timestamps, values } of blocks) {
    const summary = summarizeBlock(runId, key, steps, timestamps, values);
    if (!summary) continue;
    const n = values.length;
    checked.push({ runId, key, n, firstStep: steps[0], lastStep: steps[n - 1], summary, data: encodeBlock(steps, timestamps, values) });
  }
  return packBlocks(checked);
}

/** Checked blocks (already encoded: their bytes go as they are) as statement parameters. */
export function packBlocks(blocks: readonly CheckedBlock[]): EncodedBlocks {
  const runIds: string[] = [];
  const keys: string[] = [];
  const ns: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  const parts: Uint8Array[] = [];
  const merged = new Map<string, { runId: string; summary: MetricSummary }>();
  let offset = 0;
  for (const { runId, key, n, firstStep, lastStep, summary, data } of blocks) {
    const id = JSON.stringify([runId, key]);
    const before = merged.get(id);
    merged.set(id, { runId, summary: before ? mergeSummaries(before.summary, summary) : summary });
    runIds.push(runId);
    keys.push(key);
    ns.push(n);
    firsts.push(firstStep);
    lasts.push(lastStep);
    offsets.push(offset);
    lengths.push(data.byteLength);
    parts.push(data);
    offset += data.byteLength;
  }
  const sums = [...merged.values()];
  const nanToNull = (x: number) => (Number.isNaN(x) ? null : f8(x));
  return {
    count: runIds.length,
    runIds: [...new Set(runIds)],
    blocks: [runIds, keys, ns, firsts, lasts, offsets, lengths, Buffer.concat(parts, offset)],
    summaries: [
      sums.map((s) => s.runId), sums.map((s) => s.summary.key), sums.map((s) => f8(s.summary.last)),
      sums.map((s) => s.summary.lastStep), sums.map((s) => s.summary.lastTimestamp),
      sums.map((s) => nanToNull(s.summary.min)), sums.map((s) => nanToNull(s.summary.max)), sums.map((s) => s.summary.count),
    ],
  };
}

/** Parameters `$first ... $first+7` as the rows of metric_blocks (in order; `seq` follows). */
export function blockRows(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `SELECT u.run_id, u.key, u.n, u.first_step, u.last_step, substring(${p(7)}::bytea FROM u.off + 1 FOR u.len)
    FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::int[], ${p(3)}::bigint[], ${p(4)}::bigint[], ${p(5)}::int[], ${p(6)}::int[])
      WITH ORDINALITY AS u(run_id, key, n, first_step, last_step, off, len, ord)`;
}

/** Parameters `$first ... $first+7` as the rows of metric_summaries. */
export function summaryRows(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::float8[], ${p(3)}::bigint[], ${p(4)}::bigint[],
    ${p(5)}::float8[], ${p(6)}::float8[], ${p(7)}::bigint[])`;
}

export const BLOCK_COLUMNS = 'run_id, key, n, first_step, last_step, data';
export const SUMMARY_COLUMNS = 'run_id, key, last_value, last_step, last_timestamp, min_value, max_value, count';

/** The incoming block's latest point beats the stored one (src/metrics/block-summary.ts has the rule). */
const NEWER = '(excluded.last_step > s.last_step OR (excluded.last_step = s.last_step AND excluded.last_timestamp >= s.last_timestamp))';
/**
 * Folds summaries into the stored ones. NULL min/max mean "no non-NaN value
 * yet" and never win a comparison. float8 keeps -0, but -0 = 0, so the zero
 * rules test the sign through the text form.
 */
export const UPSERT_SUMMARIES = `ON CONFLICT (run_id, key) DO UPDATE SET
  last_value = CASE WHEN ${NEWER} THEN excluded.last_value ELSE s.last_value END,
  last_step = CASE WHEN ${NEWER} THEN excluded.last_step ELSE s.last_step END,
  last_timestamp = CASE WHEN ${NEWER} THEN excluded.last_timestamp ELSE s.last_timestamp END,
  min_value = CASE WHEN s.min_value IS NULL OR excluded.min_value < s.min_value
    OR (excluded.min_value = 0 AND s.min_value = 0 AND excluded.min_value::text = '-0') THEN excluded.min_value ELSE s.min_value END,
  max_value = CASE WHEN s.max_value IS NULL OR excluded.max_value > s.max_value
    OR (excluded.max_value = 0 AND s.max_value = 0 AND s.max_value::text = '-0') THEN excluded.max_value ELSE s.max_value END,
  count = s.count + excluded.count`;

/**
 * Appends blocks of existing, active runs in one statement. The statement
 * writes only if every run named is there and active, so the batch is
 * all-or-nothing; otherwise a second look names the culprit.
 */
const APPEND = {
  name: 'append-metrics',
  text: `WITH live AS (SELECT count(*) = cardinality($1::text[]) AS ok FROM runs WHERE run_id = ANY($1::text[]) AND lifecycle_stage = 'active'),
  b AS (INSERT INTO metric_blocks (${BLOCK_COLUMNS}) ${blockRows(2)} WHERE (SELECT ok FROM live) ORDER BY u.ord),
  s AS (INSERT INTO metric_summaries AS s (${SUMMARY_COLUMNS}) ${summaryRows(10)} WHERE (SELECT ok FROM live) ${UPSERT_SUMMARIES})
  SELECT ok FROM live`,
};

export async function appendBlocks(q: Query, blocks: readonly MetricColumns[]): Promise<void> {
  await appendPacked(q, encodeBlocks(blocks));
}

/** Blocks packed by encodeBlocks, or by packBlocks from blocks received already encoded (their bytes stored as they came). */
export async function appendPacked(q: Query, encoded: EncodedBlocks): Promise<void> {
  if (encoded.count === 0) return;
  const [row] = await q<{ ok: boolean }>(APPEND, [encoded.runIds, ...encoded.blocks, ...encoded.summaries]);
  if (!row.ok) await explainRefusal(q, encoded.runIds);
}

async function explainRefusal(q: Query, runIds: readonly string[]): Promise<never> {
  const rows = await q<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = ANY($1::text[])`, [runIds]);
  const found = new Map(rows.map((r) => [r.run_id, r]));
  const missing = runIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw noRun(missing[0]);
  for (const row of rows) assertLoggable(row);
  throw new TracklabError('INTERNAL_ERROR', 'Metric blocks were refused for runs that exist and are active; this is a tracklab bug.');
}

export { pointsToBlocks } from '../../metrics/point-blocks';

/**
 * Decoded blocks of `runIds` (in the order given), then key, then insertion.
 * Throws RESOURCE_DOES_NOT_EXIST naming any id without a run.
 */
export async function readBlocks(conn: Pick<Connection, 'copyOut'>, runIds: readonly string[], keys?: readonly string[]): Promise<MetricColumns[]> {
  return (await readEncodedBlocks(conn, runIds, keys)).map(({ runId, key, data }) => ({ runId, key, ...decodeBlock(data) }));
}

/**
 * The same blocks still encoded, as views of the one COPY buffer, so a
 * reader decodes them straight into its own buffers (metricHistory into
 * Arrow's) instead of through a decoded copy.
 *
 * One statement (one snapshot, one round trip): each id's blocks, or one row
 * saying whether the run exists. It is a binary COPY so that the blocks
 * arrive as bytes: as an ordinary result, pg would receive them hex-encoded,
 * twice the bytes, and decoding the hex took longer than the rest of the read.
 */
export async function readEncodedBlocks(conn: Pick<Connection, 'copyOut'>, runIds: readonly string[], keys?: readonly string[]): Promise<EncodedMetricBlock[]> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return [];
  const array = (xs: readonly string[]) => `ARRAY[${xs.map(literal).join(', ')}]::text[]`;
  const keyFilter = keys === undefined ? '' : `AND b.key = ANY(${array(keys)})`;
  const data = await conn.copyOut('read metric history', `COPY (
    SELECT j.id, r.run_id IS NOT NULL AS found, b.key, b.data FROM unnest(${array(ids)}) WITH ORDINALITY AS j(id, ord)
      LEFT JOIN runs r ON r.run_id = j.id
      LEFT JOIN metric_blocks b ON b.run_id = r.run_id ${keyFilter}
      ORDER BY j.ord, b.key, b.seq) TO STDOUT (FORMAT binary)`);
  const rows = copyRows(data);
  const missing = [...new Set(rows.filter((row) => !copyBool(row[1])).map((row) => copyText(row[0])))];
  if (missing.length) {
    throw new TracklabError('RESOURCE_DOES_NOT_EXIST',
      `No run with id ${missing.map((id) => `"${id}"`).join(', ')}. Check the ids; \`tracklab runs\` lists the runs of an experiment.`);
  }
  return rows.filter((row) => row[3] !== null).map(([id, , key, block]) => ({ runId: copyText(id)!, key: copyText(key)!, data: block! }));
}
