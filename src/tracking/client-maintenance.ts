/**
 * Store maintenance on TrackingClient: backup and doctor (src/maintenance/).
 * Loaded on first use, like the artifact repository.
 */
import type { BackupOptions, BackupResult } from '../maintenance/backup';
import type { DoctorOptions, DoctorReport } from '../maintenance/doctor';
import type { TrackingClient } from './client';
import * as lifecycle from './lifecycle';
import { openStore } from './open-store';

export async function backup(client: TrackingClient, dest: string, options: BackupOptions): Promise<BackupResult> {
  const { backupStore } = require('../maintenance/backup') as typeof import('../maintenance/backup');
  await client.flush(); // points still buffered in this process belong in the copy
  return client.call(`back up the store to ${dest}`, (store) => backupStore({ store, content: client.artifacts.content, open: openStore }, dest, options));
}

export async function doctor(client: TrackingClient, options: DoctorOptions): Promise<DoctorReport> {
  const { doctor: examine } = require('../maintenance/doctor') as typeof import('../maintenance/doctor');
  return client.call('check the store', (store) => examine({
    store,
    content: client.artifacts.content,
    stuckRuns: (mark) => store.reapCrashedRuns(lifecycle.isOwnerAlive, lifecycle.STALE_AFTER_MS, { dryRun: !mark }),
    sweep: () => client.artifacts.gc({ keepDeletedRuns: true }),
  }, options));
}
