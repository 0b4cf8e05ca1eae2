/**
 * Refuses to open the SQLite store on a network file system. WAL mode (which
 * lets several processes write at once) keeps its index in shared memory
 * (`-shm`, mmapped) and relies on POSIX locks; on NFS, SMB/CIFS and the like
 * neither is coherent across hosts, so two writers can corrupt the store
 * (https://www.sqlite.org/wal.html, "WAL does not work over a network
 * filesystem"). The file system is read with statfs(2), whose `f_type` magic
 * numbers come from Linux's include/uapi/linux/magic.h.
 */
import fs from 'node:fs';
import { TracklabError } from '../../errors';

/** f_type values of network and cluster file systems (Linux). */
const NETWORK_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'AFS'],
  [0x73757245, 'Coda'],
  [0x00c36400, 'Ceph'],
  [0x0bd00bd0, 'Lustre'],
  [0x47504653, 'GPFS'],
  [0x7461636f, 'OCFS2'],
  [0x01021997, '9p'],
  [0x564c, 'NCP'],
]);

/** The network file system `dir` is on (e.g. "NFS"), or undefined for a local one or when statfs cannot tell. */
export function networkFileSystem(dir: string): string | undefined {
  let type: number;
  try {
    type = Number(fs.statfsSync(dir).type);
  } catch {
    return undefined; // no statfs here: nothing to refuse on
  }
  // f_type is unsigned, but some platforms report it as a signed 32-bit number.
  return NETWORK_FILE_SYSTEMS.get(type >>> 0);
}

/**
 * Throws INVALID_STATE when the store folder `root` is on a network file
 * system, saying what to use instead.
 *
 * @example
 * assertLocalFileSystem('/mnt/nfs/project/.tracklab'); // throws on NFS
 */
export function assertLocalFileSystem(root: string): void {
  const kind = networkFileSystem(root);
  if (kind === undefined) return;
  throw new TracklabError('INVALID_STATE',
    `The tracking store ${root} is on a network file system (${kind}). Its SQLite database runs in WAL mode so that several `
    + 'processes can log at once, and WAL is not safe on network file systems: writers on different machines can corrupt it. '
    + 'Keep the store on a local disk (set TRACKLAB_HOME or configure({ home }) to a local folder, and copy results with '
    + '"tracklab backup"), or use a PostgreSQL store for a team (TRACKLAB_TRACKING_URI=postgresql://user@host/db).');
}
