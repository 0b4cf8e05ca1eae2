/**
 * `tracklab migrate-store --from URI --to URI`: moves a whole store (say a
 * solo SQLite folder into the team's PostgreSQL) without loss. Every table
 * is copied with its ids and timestamps in one transaction, each table's rows
 * are verified by count and sha256, and the artifact blobs the store
 * references are copied between artifact folders, each checked by its hash.
 * Progress and totals count metric points, not the blocks that store them.
 * `--merge` adds the store to one that holds others' work (merge-plan.ts).
 */
import * as fs from 'node:fs';
import { copyBlobs } from '../../artifacts/copy-blobs';
import { ContentStore } from '../../artifacts/content-store';
import { TracklabError } from '../../errors';
import type { StoreBackend } from '../../store/backend';
import { copyStore } from '../../store/copy-store';
import { openStore } from '../../store/open-store';
import { TRANSFER_TABLES } from '../../store/store-transfer';
import { parseArtifactRoot, parseStoreUri, type StoreUri } from '../../store/store-uri';
import type { TrackingClient } from '../../tracking/client';
import { flag, parse, str, UsageError } from '../args';
import { cliMsg } from '../messages';
import { printJson, printTable, stderrIsTerminal, type Io } from '../output';

export const usage = 'tracklab migrate-store --from URI --to URI [--merge] [--from-artifact-root DIR] [--to-artifact-root DIR] [--json]';

export async function migrateStore(_client: TrackingClient, argv: readonly string[], io: Io): Promise<void> {
  const args = parse(argv, {
    from: { type: 'string' }, to: { type: 'string' }, 'from-artifact-root': { type: 'string' }, 'to-artifact-root': { type: 'string' },
    merge: { type: 'boolean' }, json: { type: 'boolean' },
  }, 0);
  const fromText = str(args, 'from');
  const toText = str(args, 'to');
  if (!fromText || !toText) throw new UsageError(`--from and --to are both needed.\nUsage: ${usage}`);
  const fromUri = parseStoreUri(fromText);
  const toUri = parseStoreUri(toText);
  if (sameStore(fromUri, toUri)) throw new UsageError('--from and --to name the same store.');

  const from = await openStore(fromUri, { mustExist: true });
  let to: StoreBackend | undefined;
  try {
    to = await openStore(toUri);
    const fromArtifacts = artifactRoot(str(args, 'from-artifact-root'), from, '--from-artifact-root');
    const toArtifacts = artifactRoot(str(args, 'to-artifact-root'), to, '--to-artifact-root');
    const [source, destination] = [transferOf(from), transferOf(to)];
    const bar = progressBar(io);

    const { tables, notes } = await copyStore(source, destination, (phase, done, total, table) =>
      bar.update(done, total, `${phase === 'copy' ? 'copying' : 'verifying'} ${table === 'metric_blocks' ? 'metric points' : table}`),
    { merge: flag(args, 'merge') });
    const points = tables.metric_blocks.points ?? 0;
    bar.finish(cliMsg.storeCopied(points, tables.runs.rows, TRANSFER_TABLES.reduce((n, t) => n + tables[t].rows, 0)));
    for (const note of notes) io.err(note);

    const blobs = fromArtifacts === toArtifacts
      ? { copied: 0, bytes: 0, present: 0, missing: [] as string[], shared: true }
      : { ...(await copyBlobs(new ContentStore(fromArtifacts), new ContentStore(toArtifacts), await from.tracking.referencedBlobs(),
        (done, total) => bar.update(done, total, 'copying artifact blobs'))), shared: false };
    bar.finish(blobs.shared ? 'artifact folder shared by both stores: nothing to copy' : `copied ${blobs.copied} artifact blob(s), ${blobs.bytes.toLocaleString('en')} bytes, each checked by sha256`
      + (blobs.present > 0 ? `; ${blobs.present} the destination held already` : ''));

    if (flag(args, 'json')) {
      printJson(io, { from: fromUri.display, to: toUri.display, fromArtifactRoot: fromArtifacts, toArtifactRoot: toArtifacts, merged: notes, tables, blobs });
    } else {
      printTable(io, {
        caption: `${fromUri.display} -> ${toUri.display}`,
        columns: [{ title: 'table' }, { title: 'rows' }, { title: 'sha256 (source = copy)' }],
        rows: TRANSFER_TABLES.filter((t) => tables[t].rows > 0).map((t) => ({ cells: [t, tables[t].rows, `${tables[t].sha256.slice(0, 16)}…`] })),
      });
      io.out(`metric points: ${points.toLocaleString('en')}`);
      io.out(`artifacts: ${fromArtifacts} -> ${toArtifacts}`);
    }
    if (blobs.missing.length > 0) {
      io.err(`warning: ${blobs.missing.length} referenced blob(s) were already missing from ${fromArtifacts} before the move `
        + `(first: ${blobs.missing[0]}); the runs that name them lack those files in both stores.`);
    }
  } finally {
    await to?.close();
    await from.close();
  }
}

/** The same URI, or one SQLite file reached through a link to its folder (or to the file). */
function sameStore(a: StoreUri, b: StoreUri): boolean {
  if (a.display === b.display) return true;
  if (a.scheme !== 'sqlite' || b.scheme !== 'sqlite' || !fs.existsSync(a.file) || !fs.existsSync(b.file)) return false;
  return fs.realpathSync(a.file) === fs.realpathSync(b.file);
}

function transferOf(backend: StoreBackend) {
  if (!backend.transfer) throw new TracklabError('INVALID_STATE', `The store ${backend.uri.display} cannot be exported or imported.`);
  return backend.transfer();
}

function artifactRoot(flagValue: string | undefined, backend: StoreBackend, name: string): string {
  if (flagValue !== undefined) return parseArtifactRoot(flagValue);
  if (backend.defaultArtifactRoot !== undefined) return backend.defaultArtifactRoot;
  throw new UsageError(`${backend.uri.display} keeps no artifacts of its own: give its artifact folder with ${name} DIR `
    + '(the shared folder its users set as TRACKLAB_ARTIFACT_ROOT).');
}

/**
 * A bar redrawn in place when stderr is a terminal (and `io` is the process's);
 * otherwise one line per label through `io.err` once that step is done, with
 * the share done by then, so logs stay readable and each figure is true.
 */
function progressBar(io: Io): { update(done: number, total: number, label: string): void; finish(line: string): void } {
  const tty = stderrIsTerminal(io);
  const stream = { write: (text: string) => (tty ? process.stderr.write(text) : io.err(text.replace(/\n$/, ''))), isTTY: tty };
  const width = 30;
  let drawn = false;
  let step: { label: string; share: number; done: number } | undefined;
  let shownDone = -1;
  const endStep = () => {
    // A step that moved nothing (an empty table) gets no line.
    if (step && step.done !== shownDone) stream.write(`${step.label}: done (${Math.floor(step.share * 100)}%)\n`);
    shownDone = step?.done ?? shownDone;
    step = undefined;
  };
  return {
    update(done, total, label) {
      const share = total === 0 ? 1 : Math.min(1, done / total);
      if (stream.isTTY) {
        const filled = Math.round(share * width);
        stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${label}\u001b[K`);
        drawn = true;
      } else {
        if (step && step.label !== label) endStep();
        step = { label, share, done };
      }
    },
    finish(line) {
      endStep();
      shownDone = -1;
      stream.write(`${drawn ? '\r\u001b[K' : ''}${line}\n`);
      drawn = false;
    },
  };
}
