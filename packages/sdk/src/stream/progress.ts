import type { Readable } from 'node:stream';
import type { PolisError } from '@polis/core/errors';
import { errorFromProgress } from '../errors.js';
import type { ProgressMessage } from '../types/image.js';
import { jsonLines } from './json-lines.js';

/** The typed error of a progress line that reports a failure, else undefined. */
export function progressError(msg: ProgressMessage, path: string): PolisError | undefined {
  if (msg.error === undefined && msg.errorDetail?.message === undefined) return undefined;
  return errorFromProgress(
    msg.errorDetail?.message ?? msg.error ?? 'the operation failed',
    msg.polisCode ?? msg.errorDetail?.code,
    path,
  );
}

/**
 * A JSON-lines progress stream (pull, push, load). The request is sent when iteration starts; iterate
 * it once. The daemon's answer (an HTTP error) and an error line in the stream are thrown as PolisErrors,
 * after every message before the error line has been yielded.
 */
export class ProgressStream implements AsyncIterable<ProgressMessage> {
  private source?: Readable;
  private started = false;

  constructor(
    private readonly open: () => Promise<Readable>,
    private readonly path: string,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<ProgressMessage> {
    if (this.started) throw new Error('a progress stream can be read only once');
    this.started = true;
    this.source = await this.open();
    for await (const msg of jsonLines<ProgressMessage>(this.source)) {
      const err = progressError(msg, this.path);
      if (err) throw err;
      yield msg;
    }
  }

  /** Reads to the end, handing each message to `onMessage`; resolves with them all. */
  async collect(onMessage?: (msg: ProgressMessage) => void): Promise<ProgressMessage[]> {
    const all: ProgressMessage[] = [];
    for await (const msg of this) {
      onMessage?.(msg);
      all.push(msg);
    }
    return all;
  }

  /** Stops reading (the connection is closed; the daemon may carry on). */
  close(): void {
    this.source?.destroy();
  }
}
