/**
 * Runs `task` over `items` with at most `limit` running at once, starting
 * them in order. Results keep the items' order. Once `signal` is aborted no
 * new item starts (those get `undefined`); running ones finish on their own.
 *
 * @example
 * const sizes = await promisePool(files, 4, async (f) => (await fs.promises.stat(f)).size);
 */
export async function promisePool<T, R>(
  items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>, signal?: AbortSignal,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
