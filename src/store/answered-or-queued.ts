/**
 * How a caller waits for a write on a store that queues writes (a tracking
 * server's): for the server's answer while it answers, and, while it does
 * not, only until the write is queued, durable in the outbox. Awaiting the
 * answer through an outage would hold a notebook cell until the server is
 * back, or, in a script with nothing else to do, let Node exit without
 * running the code after the await. A refusal that comes after the caller
 * went on goes to `refusedLater`.
 */
import type { TrackingStore } from './store';

export async function answeredOrQueued(store: TrackingStore, write: Promise<unknown>, refusedLater: (err: unknown) => void): Promise<'answered' | 'queued'> {
  if (store.whenUnreachable === undefined) {
    await write;
    return 'answered';
  }
  const settled = new AbortController();
  try {
    const outcome = await Promise.race([write.then(() => 'answered' as const), store.whenUnreachable(settled.signal).then(() => 'queued' as const)]);
    if (outcome === 'queued') write.catch(refusedLater);
    return outcome;
  } finally {
    settled.abort();
  }
}
