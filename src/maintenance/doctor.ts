/**
 * `tracklab doctor` / `client.doctor()`: checks a store and says what is
 * wrong; repairs only when asked (`fix`). What it looks at:
 * - the database's own integrity check (cannot be repaired here: restore a backup);
 * - every referenced blob against its content address (sha256) and manifest size:
 *   missing content is restored from gc's trash when it is there, damaged content
 *   is moved aside so logging the file again stores a good copy;
 * - orphans: unreferenced blobs, trash of an interrupted gc, stale temp files
 *   (removed as gc would, without purging deleted runs);
 * - a gc lock left by a process that is gone;
 * - runs stuck RUNNING although their process is gone (marked CRASHED).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GcResult } from '../artifacts/artifact-gc';
import { DEFAULT_GC_GRACE_MS } from '../artifacts/artifact-gc';
import type { ContentStore } from '../artifacts/content-store';
import { clearStaleGcLock, inspectGcLock, takeGcLock } from '../artifacts/gc-lock';
import type { TrackingStore } from '../store/store';

export type FindingKind = 'database' | 'missing-content' | 'damaged-content' | 'orphan-content' | 'stale-lock' | 'stuck-run';

export interface Finding {
  readonly kind: FindingKind;
  /** What is wrong, with the runs and paths it touches. */
  readonly message: string;
  /** What `--fix` does about it, or what to do by hand when it cannot. */
  readonly repair: string;
  readonly fixable: boolean;
  /** True once `--fix` repaired it in this call. */
  readonly fixed: boolean;
}

export interface DoctorReport {
  readonly root: string;
  /** One line per check that found nothing wrong. */
  readonly ok: readonly string[];
  readonly findings: readonly Finding[];
  /** True when nothing is wrong any more (all findings, if any, were fixed). */
  readonly healthy: boolean;
}

export interface DoctorProgress {
  readonly phase: 'content';
  readonly done: number;
  readonly total: number;
}

export interface DoctorOptions {
  /** Repair what can be repaired. Default false: only report. */
  readonly fix?: boolean;
  readonly onProgress?: (progress: DoctorProgress) => void;
}

/** What the doctor needs from the client. */
export interface DoctorParts {
  /** The store folder, or the tracking URI with its password masked: what the report names. */
  readonly root: string;
  readonly store: TrackingStore;
  readonly content: ContentStore;
  /** RUNNING runs whose process is gone; with `mark` true they are marked CRASHED. */
  stuckRuns(mark: boolean): Promise<readonly string[]>;
  /** gc's sweep of unreferenced content (two-phase, safe next to writers), without purging deleted runs. */
  sweep(): Promise<GcResult>;
}

const SHOWN_USES = 3;
const STALE_TEMP_MS = 60 * 60 * 1000;

interface Reference {
  readonly size?: number;
  readonly uses: string[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function usesOf(ref: Reference): string {
  const shown = ref.uses.slice(0, SHOWN_USES).join(', ');
  return ref.uses.length > SHOWN_USES ? `${shown} and ${ref.uses.length - SHOWN_USES} more` : shown;
}

async function sha256Of(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Every referenced sha256 with the run files (or registry entries) that use it. */
async function references(store: TrackingStore): Promise<Map<string, Reference>> {
  const refs = new Map<string, Reference>();
  const experimentIds: string[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page = await store.searchExperiments({ orderBy: [], maxResults: 1000, offset, lifecycle: 'all' });
    experimentIds.push(...page.experiments.map((e) => e.experimentId));
    offset = page.nextOffset;
  }
  for (let offset: number | null = experimentIds.length > 0 ? 0 : null; offset !== null;) {
    const page = await store.searchRuns({ experimentIds, orderBy: [], maxResults: 1000, offset, lifecycle: 'all' });
    for (const run of page.runs) {
      for (const entry of await store.listArtifacts(run.info.runId)) {
        const ref = refs.get(entry.sha256) ?? { size: entry.size, uses: [] };
        ref.uses.push(`run ${run.info.runName} (${run.info.runId}) "${entry.path}"`);
        refs.set(entry.sha256, ref);
      }
    }
    offset = page.nextOffset;
  }
  for (const sha of await store.referencedBlobs()) {
    if (!refs.has(sha)) refs.set(sha, { uses: ['a registered model version'] });
  }
  return refs;
}

/**
 * Checks the store and, with `fix`, repairs what it can. See the file comment.
 *
 * @example
 * const report = await doctor(parts, { fix: false });
 * for (const f of report.findings) console.log(f.kind, f.message);
 */
export async function doctor(parts: DoctorParts, options: DoctorOptions = {}): Promise<DoctorReport> {
  const fix = options.fix === true;
  const { store, content } = parts;
  const ok: string[] = [];
  const findings: Finding[] = [];
  const add = (finding: Omit<Finding, 'fixed'>, fixed = false): void => { findings.push({ ...finding, fixed }); };

  const dbProblems = store.checkIntegrity ? await store.checkIntegrity() : undefined;
  if (dbProblems === undefined) ok.push('database: this backend has no integrity check of its own (skipped)');
  else if (dbProblems.length === 0) ok.push('database: integrity check passed');
  for (const problem of (dbProblems ?? []).slice(0, 20)) {
    add({ kind: 'database', message: `database: ${problem}`, fixable: false,
      repair: 'restore the store from a backup ("tracklab backup" makes one), or recover what is readable with the sqlite3 shell\'s ".recover"' });
  }
  if ((dbProblems?.length ?? 0) > 20) {
    add({ kind: 'database', message: `database: ${dbProblems!.length - 20} more problems`, fixable: false, repair: 'as above' });
  }

  const lock = await inspectGcLock(content.root);
  if (lock.state === 'stale') {
    const cleared = fix && await clearStaleGcLock(content.root);
    add({ kind: 'stale-lock', message: lock.why ?? lock.file, fixable: true,
      repair: cleared ? 'removed' : 'remove it (the next gc also takes it over)' }, cleared);
  }

  let refs: Map<string, Reference>;
  try {
    refs = await references(store);
  } catch (err) {
    add({ kind: 'database', message: `database: the manifests could not be read (${err instanceof Error ? err.message : String(err)})`, fixable: false,
      repair: 'restore the store from a backup' });
    return { root: parts.root, ok, findings, healthy: false };
  }
  await checkContent(parts, refs, fix, ok, add, options);
  await checkOrphans(parts, refs, fix, ok, add);

  const stuck = await parts.stuckRuns(fix);
  if (stuck.length === 0) ok.push('runs: none stuck RUNNING after their process ended');
  for (const runId of stuck) {
    const info = await store.getRun(runId).then((r) => r.info, () => undefined);
    add({ kind: 'stuck-run', message: `run ${info?.runName ?? '?'} (${runId}) is RUNNING, but the process that ran it is gone`, fixable: true,
      repair: fix ? 'marked CRASHED' : 'mark it CRASHED (any tracklab client also does this when it opens the store)' }, fix);
  }
  return { root: parts.root, ok, findings, healthy: findings.every((f) => f.fixed) };
}

async function checkContent(parts: DoctorParts, refs: Map<string, Reference>, fix: boolean, ok: string[],
  add: (f: Omit<Finding, 'fixed'>, fixed?: boolean) => void, options: DoctorOptions): Promise<void> {
  const { content } = parts;
  const trash = new Map((await content.listTrash()).map((t) => [t.sha256, t.file]));
  const release = fix ? await takeGcLock(content.root, 'doctor --fix') : undefined;
  try {
    let intact = 0;
    let bytes = 0;
    let done = 0;
    for (const [sha256, ref] of refs) {
      options.onProgress?.({ phase: 'content', done: done++, total: refs.size });
      const file = content.blobPath(sha256);
      if (!fs.existsSync(file)) {
        const inTrash = trash.get(sha256);
        const good = inTrash !== undefined && (await sha256Of(inTrash)).sha256 === sha256;
        if (good && fix) await content.restore(inTrash, sha256);
        add({ kind: 'missing-content', message: `content ${sha256} is missing; used by ${usesOf(ref)}`, fixable: good,
          repair: good ? (fix ? 'restored from the trash of an interrupted gc' : 'restore it from the trash of an interrupted gc')
            : 'log those files again (the content is lost from this store; a backup may still hold it)' }, good && fix);
        continue;
      }
      const got = await sha256Of(file);
      if (got.sha256 === sha256 && (ref.size === undefined || ref.size === got.size)) {
        intact++;
        bytes += got.size;
        continue;
      }
      const aside = fix ? await moveAside(content, sha256) : undefined;
      add({ kind: 'damaged-content', fixable: true,
        message: `content ${sha256} is damaged (${got.size} bytes with sha256 ${got.sha256}${ref.size !== undefined ? `; the manifest says ${ref.size} bytes` : ''}); used by ${usesOf(ref)}`,
        repair: aside ? `moved aside to ${aside}; log those files again to store a good copy` : 'move it aside, so that logging the files again stores a good copy' }, aside !== undefined);
    }
    options.onProgress?.({ phase: 'content', done: refs.size, total: refs.size });
    if (intact === refs.size) ok.push(`content: ${plural(refs.size, 'referenced blob')} (${bytes} bytes) present, sha256 verified`);
  } finally {
    await release?.();
  }
}

/** Moves damaged content out of its address into `artifacts/damaged/`, kept for inspection. */
async function moveAside(content: ContentStore, sha256: string): Promise<string> {
  const dir = path.join(content.root, 'damaged');
  await fs.promises.mkdir(dir, { recursive: true });
  const target = path.join(dir, `${sha256}.${Date.now()}`);
  await fs.promises.rename(content.blobPath(sha256), target);
  return target;
}

async function checkOrphans(parts: DoctorParts, refs: Map<string, Reference>, fix: boolean, ok: string[],
  add: (f: Omit<Finding, 'fixed'>, fixed?: boolean) => void): Promise<void> {
  const { content } = parts;
  const cutoff = Date.now() - DEFAULT_GC_GRACE_MS;
  const orphans = (await content.listBlobs()).filter((b) => !refs.has(b.sha256));
  const old = orphans.filter((b) => b.mtimeMs < cutoff);
  const trash = (await content.listTrash()).filter((t) => !refs.has(t.sha256));
  const temps = await content.staleTempFiles(Date.now() - STALE_TEMP_MS);
  const total = old.length + trash.length + temps.length;
  if (total === 0) {
    ok.push(orphans.length === 0 ? 'orphans: no unreferenced content'
      : `orphans: ${plural(orphans.length, 'unreferenced blob')} younger than ${DEFAULT_GC_GRACE_MS / 1000} s (may be being logged now; left alone)`);
    return;
  }
  const size = [...old, ...trash, ...temps].reduce((sum, f) => sum + f.size, 0);
  const parts_ = [
    old.length > 0 ? `${plural(old.length, 'blob')} that no run or model version references` : '',
    trash.length > 0 ? `${plural(trash.length, 'file')} in the trash of an interrupted gc` : '',
    temps.length > 0 ? `${plural(temps.length, 'temp file')} older than an hour (left by crashed writers)` : '',
  ].filter(Boolean);
  let fixed = false;
  let repair = 'remove them ("tracklab gc" also does, after purging deleted runs)';
  if (fix) {
    try {
      await parts.sweep();
      fixed = true;
      repair = 'removed';
    } catch (err) {
      repair = `could not remove them: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  add({ kind: 'orphan-content', message: `orphans: ${parts_.join(', ')}; ${size} bytes in all`, fixable: true, repair }, fixed);
}
