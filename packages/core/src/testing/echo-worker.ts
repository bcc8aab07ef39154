/** A worker for the ThreadPool tests: reports an event, then answers, throws, or blocks a while. */
import { threadId } from 'node:worker_threads';
import { PolisError } from '../errors.js';
import { serveJobs } from '../threads/serve.js';

export type EchoJob =
  { kind: 'echo'; text: string } | { kind: 'polis' } | { kind: 'plain' } | { kind: 'sleep'; ms: number };

serveJobs<EchoJob, { text: string; thread: number }, string>((job, emit) => {
  emit(`started ${job.kind}`);
  switch (job.kind) {
    case 'echo':
      return { text: job.text.toUpperCase(), thread: threadId };
    case 'polis':
      throw new PolisError('image.not_found', 'no such thing', { context: { what: 'thing' } });
    case 'plain':
      throw Object.assign(new Error('broken pipe'), { code: 'EPIPE' });
    case 'sleep':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, job.ms);
      return { text: 'slept', thread: threadId };
  }
});
