import type { Readable } from 'node:stream';
import type { LogEntry } from '../types.js';
import type { AttachConnection } from './connection.js';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from './detach-keys.js';
import { AsyncQueue } from './queue.js';

export interface RelayOptions {
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The client's input, sent to the process's stdin. */
  stdin?: Readable;
  detachKeys?: string;
  /** Also wait for this before ending (an exec ends when its exit code is known too). */
  alsoWaitFor?: Promise<unknown>;
  /** Where the output goes; given when others add to it too. */
  queue?: AsyncQueue<LogEntry>;
  signal?: AbortSignal;
}

/**
 * Relays one conmon attach connection (a container's or an exec's): its output as log entries until
 * it ends, the client leaves or types the detach keys; the client's input to the process's stdin.
 */
export async function* relay(conn: AttachConnection, o: RelayOptions): AsyncGenerator<LogEntry> {
  // As Docker: the detach sequence is looked for only on a terminal; piped input passes untouched.
  const scanner = new DetachScanner(o.tty ? parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS) : []);
  const queue = o.queue ?? new AsyncQueue<LogEntry>();
  conn.on('output', (out: { stream: 'stdout' | 'stderr'; data: Buffer }) => {
    if (out.stream === 'stdout' ? o.stdout : o.stderr) {
      queue.push({ stream: out.stream, time: new Date().toISOString(), data: out.data });
    }
  });
  const ended = new Promise<void>((resolve) => conn.on('end', () => resolve()));
  void Promise.all([ended, o.alsoWaitFor]).then(() => queue.close());
  const onAbort = (): void => queue.close();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const onData = (chunk: Buffer): void => {
    const { pass, detach } = scanner.feed(chunk);
    if (pass.length) conn.write(pass);
    if (detach) queue.close();
  };
  // With a TTY the end of the client's input is not the end of the terminal's (Docker keeps it open).
  const onEnd = (): void => {
    if (!o.tty) conn.closeStdin();
  };
  o.stdin?.on('data', onData);
  o.stdin?.on('end', onEnd);
  try {
    yield* queue;
  } finally {
    o.stdin?.off('data', onData);
    o.stdin?.off('end', onEnd);
    o.signal?.removeEventListener('abort', onAbort);
    conn.close();
  }
}
