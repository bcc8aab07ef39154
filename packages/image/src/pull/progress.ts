/** One step of a pull or push, in the words Docker's progress stream uses (`Downloading`, `Pushed`…). */
export interface ProgressEvent {
  /** A layer's short id, or a tag for the heading; none for summary lines. */
  id?: string;
  status: string;
  current?: number;
  total?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;

export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/** Emits byte progress at most every `intervalMs` (and always the last one). */
export function throttled(
  sink: ProgressSink,
  intervalMs = 100,
): (event: ProgressEvent, last?: boolean) => void {
  let at = 0;
  return (event, last = false) => {
    const now = Date.now();
    if (!last && now - at < intervalMs) return;
    at = now;
    sink(event);
  };
}

/** Runs `jobs` with at most `limit` at once; all are awaited, the first failure is rethrown. */
export async function limited<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: PromiseSettledResult<T>[] = new Array<PromiseSettledResult<T>>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const job = jobs[i];
      if (!job) return;
      try {
        results[i] = { status: 'fulfilled', value: await job() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
