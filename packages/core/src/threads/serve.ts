import { parentPort } from 'node:worker_threads';
import { PolisError } from '../errors.js';

/** What a worker answers: events on the way, then one result or error per job. */
export type Reply<Result, Event> =
  | { event: Event }
  | { result: Result }
  | { error: { message: string; code?: string; context?: Record<string, unknown> } };

/**
 * The worker side of `ThreadPool`: runs `handle` for each job posted to this thread, one at a time
 * (a job is synchronous: blocking reads and writes are the point). `emit` reports an event to the job's
 * caller; a thrown PolisError goes back with its code and context, any other error as `internal` (with
 * its errno code, if any, in the context).
 */
export function serveJobs<Job, Result, Event = never>(
  handle: (job: Job, emit: (event: Event) => void) => Result,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread');
  port.on('message', (job: Job) => {
    let reply: Reply<Result, Event>;
    try {
      reply = { result: handle(job, (event) => port.postMessage({ event } satisfies Reply<Result, Event>)) };
    } catch (err) {
      reply = { error: describe(err) };
    }
    port.postMessage(reply);
  });
}

function describe(err: unknown): { message: string; code?: string; context?: Record<string, unknown> } {
  if (err instanceof PolisError) return { message: err.message, code: err.code, context: err.context };
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof errno === 'string' ? { context: { errno } } : {}),
  };
}
