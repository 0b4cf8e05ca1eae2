/**
 * One call may log any number of params, tags and points; one store write
 * holds at most MLflow's batch limits (validation.ts `Limits`), so no write
 * keeps other processes waiting for the lock. The split is MLflow's client's
 * (`log_batch` in mlflow/tracking/_tracking_service/client.py): params and
 * tags in chunks of 100 side by side, metrics filling each write up to 1000
 * entities, then the remaining metrics 1000 at a time.
 */
import type { MetricPoint } from '../entities';
import { emptyRecord } from '../records';
import type { LogBatch } from '../store/store';
import { Limits } from '../validation';
import type { ClientCore } from './client-core';

type StringRecord = Readonly<Record<string, string>>;

/** The batch as a list of writes within the limits, in order; one write (the batch itself) when it fits. */
export function splitBatch(batch: LogBatch): LogBatch[] {
  const params = chunkRecord(batch.params);
  const tags = chunkRecord(batch.tags);
  const deletes = chunk(batch.deleteTags ?? [], Limits.paramsTagsPerBatch);
  let metrics: readonly MetricPoint[] = batch.metrics ?? [];
  if (params.length <= 1 && tags.length <= 1 && deletes.length <= 1 && fits(params[0], tags[0], deletes[0], metrics.length)) return [batch];

  const out: LogBatch[] = deletes.map((deleteTags) => ({ deleteTags }));
  for (let i = 0; i < Math.max(params.length, tags.length); i++) {
    const p = params[i];
    const t = tags[i];
    const room = Math.max(0, Math.min(Limits.entitiesPerBatch - count(p) - count(t), Limits.metricsPerBatch));
    const take = metrics.slice(0, room);
    metrics = metrics.slice(room);
    out.push({ ...(p ? { params: p } : {}), ...(t ? { tags: t } : {}), ...(take.length > 0 ? { metrics: take } : {}) });
  }
  for (const m of chunk(metrics, Limits.metricsPerBatch)) out.push({ metrics: m });
  return out;
}

function fits(p: StringRecord | undefined, t: StringRecord | undefined, d: readonly string[] | undefined, metrics: number): boolean {
  return metrics <= Limits.metricsPerBatch && count(p) + count(t) + (d?.length ?? 0) + metrics <= Limits.entitiesPerBatch;
}

function count(record: StringRecord | undefined): number {
  return record === undefined ? 0 : Object.keys(record).length;
}

/** The record in parts of at most 100 keys (MLflow's params and tags per write). */
export function chunkRecord(record: StringRecord | undefined): StringRecord[] {
  if (record === undefined) return [];
  const keys = Object.keys(record);
  if (keys.length <= Limits.paramsTagsPerBatch) return keys.length === 0 ? [] : [record];
  return chunk(keys, Limits.paramsTagsPerBatch).map((part) => {
    const out = emptyRecord<string>();
    for (const key of part) out[key] = record[key];
    return out;
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Waits between two writes of one call so other processes get the lock:
 * SQLite's busy handler sleeps and retries, so a writer that takes the lock
 * back at once could keep them waiting for the whole call. Waiting as long
 * as the last write took keeps this call to at most half of the lock's time.
 */
export function pauseAfterWrite(writeMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(writeMs))));
}

/** Writes each part in its own store write, pausing between them so other processes' writes get through. */
export async function writeBatches(core: ClientCore, runId: string, parts: readonly LogBatch[], what: string): Promise<void> {
  for (let i = 0; i < parts.length; i++) {
    const started = performance.now();
    await core.call(what, (s) => s.logBatch(runId, parts[i]));
    if (i + 1 < parts.length) await pauseAfterWrite(performance.now() - started);
  }
}
