/** Messages of the remote store (the outbox, the sender, sync), in one module so tests can assert them. */
export const httpMsg = {
  unreachable: (server: string, why: string, outbox: string) =>
    `tracklab: the tracking server ${server} is unreachable (${why}). Logging goes on: writes wait in the outbox ${outbox} and are retried. `
    + 'If this process ends first, `tracklab sync` sends them.',
  syncServerDown: (server: string, why: string, writes: number, outbox: string) =>
    `The tracking server ${server} is unreachable (${why}). Nothing was lost: the ${writes} write${writes === 1 ? '' : 's'} not sent `
    + `stay in the outbox ${outbox}. Run tracklab sync again once the server is up.`,
  /** A server's 5xx message goes into a terminal line: its first line only, without control characters, at most 200 characters. */
  serverFailing: (status: number, said: string | undefined) => {
    // eslint-disable-next-line no-control-regex
    const line = (said ?? '').split(/\r?\n/, 1)[0]!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
    return line === '' ? `HTTP ${status}` : `HTTP ${status}: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
  },
  caughtUp: (server: string, writes: number, seconds: number) =>
    `tracklab: caught up with the tracking server ${server}: ${writes} queued write${writes === 1 ? '' : 's'} sent after ${seconds.toFixed(1)} s.`,
  refusedLater: (server: string, what: string, message: string) =>
    `tracklab: the tracking server ${server} refused a queued write (${what}): ${message}`,
  notReached: (server: string, why: string) =>
    `Could not reach the tracking server ${server} (${why}). Check that it runs (tracklab server) and the URI, or set TRACKLAB_MODE=offline to log locally and sync later.`,
  stillQueued: (server: string, writes: number) =>
    `The tracking server ${server} has been unreachable while ${writes} earlier write${writes === 1 ? '' : 's'} wait to be sent, so this read cannot see them yet. Try again once it is back.`,
  badAnswer: (server: string, status: number) =>
    `The tracking server ${server} answered ${status} with a body tracklab could not read. Is this a tracklab server (tracklab server --tracking-uri …)?`,
  uploadUnreadable: (file: string, why: string) =>
    `Could not read ${file} to upload it to the tracking server (${why}). It was logged into this machine's artifact cache; was the cache emptied before the upload? Log the artifact again.`,
  contentMissing: (sha256: string, runId: string, cache: string) =>
    `The tracking server has no content ${sha256} for run ${runId}, and this machine's artifact cache ${cache} has none to send. `
    + 'If artifactRoot is set, it must be the folder the server serves (--artifacts-destination); leave it unset to send artifacts through the server.',
  downloadDamaged: (sha256: string, server: string, detail: string) =>
    `The content ${sha256} that came from the tracking server ${server} does not match its digest (${detail}); nothing was kept. Try again; if it persists, run "tracklab doctor" on the server.`,
  damagedOnTheWay: (verdict: 'damaged-here' | 'damaged-each-time', server: string) =>
    (verdict === 'damaged-here'
      ? 'The outbox\'s own copy of this block write is damaged (its bytes no longer match their hash), so sending it again cannot help and it was dropped. Check the disk that holds ~/.tracklab/outbox. '
      : 'The server found this block write damaged on each of several sends while the outbox\'s copy is sound, so it was dropped. Check what lies between this machine and the server (a proxy that rewrites bodies). ')
    + `The server said: ${server}`,
  blockHashMismatch: (index: number, runId: string, key: string, framed: string, got: string) =>
    `Block ${index} of the column frame (metric "${key}" of run ${runId}) does not match its content hash: framed with sha256 ${framed}, `
    + `received bytes hash to ${got}. Nothing of this upload was stored; the block was damaged between the client and the server. Send it again.`,
  credentialsInUri: () =>
    'Put the tracking server credentials in TRACKLAB_TRACKING_TOKEN, or TRACKLAB_TRACKING_USERNAME and TRACKLAB_TRACKING_PASSWORD, not in the URI.',
};
