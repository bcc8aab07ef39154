import { Worker } from 'node:worker_threads';
import { PolisError, type ErrorCode, type ErrorContext } from '../errors.js';
import { closeQuietly } from './blocking.js';
import type { Reply } from './serve.js';

const IDLE_MS = 15_000;

export interface JobOptions<Event> {
  /** Hears what the job reports on the way. */
  onEvent?: (event: Event) => void;
  /**
   * Descriptors the job takes over (and closes when it ends). Closed here instead when the worker dies
   * without answering (it failed to load, say), so the processes at their other ends see them end
   * rather than wait forever.
   */
  handsOver?: readonly number[];
}

interface Idle {
  worker: Worker;
  timer: NodeJS.Timeout;
}

/**
 * Worker threads that run one job at a time, for work that must not pass through the event loop: a
 * copy between pipes with blocking reads and writes (an unpack's digest, a restore's check). A job
 * takes an idle worker or starts one (~50 ms), and there is no cap: a job waiting for a worker would
 * stall the processes at its pipes' ends. Workers are kept `idleMs` after a job, then end; they never
 * keep the process alive. The worker script serves jobs with `serveJobs` (`./serve.ts`).
 */
export class ThreadPool<Job, Result, Event = never> {
  private readonly idle: Idle[] = [];

  constructor(
    private readonly script: URL,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** Runs a job. A job's thrown PolisError comes back with its code and context, anything else as `internal`. */
  run(job: Job, options: JobOptions<Event> = {}): Promise<Result> {
    const worker = this.take();
    return new Promise<Result>((resolve, reject) => {
      const settle = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: Reply<Result, Event>): void => {
        if ('event' in reply) {
          options.onEvent?.(reply.event);
          return;
        }
        settle();
        this.keep(worker);
        if ('result' in reply) resolve(reply.result);
        else
          reject(
            new PolisError((reply.error.code ?? 'internal') as ErrorCode, reply.error.message, {
              context: (reply.error.context ?? {}) as ErrorContext,
            }),
          );
      };
      const lost = (message: string, cause?: Error): void => {
        settle();
        for (const fd of options.handsOver ?? []) closeQuietly(fd);
        reject(new PolisError('internal', message, cause ? { cause } : {}));
      };
      const onError = (err: Error): void => lost(`worker thread failed: ${err.message}`, err);
      const onExit = (code: number): void => lost(`worker thread exited (${code})`);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }

  private take(): Worker {
    const kept = this.idle.pop();
    if (kept) {
      clearTimeout(kept.timer);
      return kept.worker;
    }
    // A worker closes descriptors the main thread opened: not its to track.
    const worker = new Worker(this.script, { trackUnmanagedFds: false });
    worker.unref();
    // An idle worker has no job's listeners; an error of its own must not become an uncaught one.
    worker.on('error', () => undefined);
    return worker;
  }

  private keep(worker: Worker): void {
    const timer = setTimeout(() => {
      const at = this.idle.findIndex((i) => i.worker === worker);
      if (at >= 0) this.idle.splice(at, 1);
      void worker.terminate();
    }, this.idleMs);
    timer.unref();
    this.idle.push({ worker, timer });
  }
}
