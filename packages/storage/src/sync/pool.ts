/**
 * Runs `fn` over `items` with at most `limit` at once and returns the results in order. File work here is
 * many small syscalls, each a trip through libuv's thread pool; a few in flight keep the pool busy.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** How many file operations sync and the usage walk keep in flight. */
export const IO_PARALLEL = 16;
