/**
 * Store maintenance on TrackingClient: backup and doctor (src/maintenance/).
 * Loaded on first use, like the artifact repository.
 */
import { TracklabError } from '../errors';
import type { BackupOptions, BackupResult } from '../maintenance/backup';
import type { DoctorOptions, DoctorReport } from '../maintenance/doctor';
import { msg } from '../messages';
import { openStore } from '../store/open-store';
import type { ClientCore } from './client-core';
import * as lifecycle from './lifecycle';

/** The store folder, or the masked tracking URI: what backup and doctor name. */
function storeName(core: ClientCore): string {
  return core.uri.scheme === 'sqlite' ? core.uri.folder : core.uri.display;
}

export async function backup(core: ClientCore, dest: string, options: BackupOptions): Promise<BackupResult> {
  refuseServer(core, 'back up');
  const { backupStore } = require('../maintenance/backup') as typeof import('../maintenance/backup');
  await core.runs.flush(); // points still buffered in this process belong in the copy
  const { content } = await core.artifacts();
  return core.call(`back up the store to ${dest}`, (store) => backupStore({ root: storeName(core), store, content, open: (root) => openStore(root) }, dest, options));
}

export async function doctor(core: ClientCore, options: DoctorOptions): Promise<DoctorReport> {
  refuseServer(core, 'check');
  const { doctor: examine } = require('../maintenance/doctor') as typeof import('../maintenance/doctor');
  const repo = await core.artifacts();
  return core.call('check the store', (store) => examine({
    root: storeName(core),
    store,
    content: repo.content,
    stuckRuns: (mark) => store.reapCrashedRuns(lifecycle.isOwnerAlive, lifecycle.STALE_AFTER_MS, { dryRun: !mark }),
    sweep: () => repo.gc({ keepDeletedRuns: true }),
  }, options));
}

/** Checked before flushing or reaching the server: backup and doctor need the store's own database and folder. */
function refuseServer(core: ClientCore, command: 'back up' | 'check'): void {
  if (core.uri.scheme === 'http') throw new TracklabError('INVALID_PARAMETER_VALUE', msg.maintenanceThroughServer(command, core.uri.display));
}
