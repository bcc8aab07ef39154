import type { Readable } from 'node:stream';
import { PolisError } from '@polis/core/errors';

/** Stream numbers in Docker's multiplexed frames. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** The daemon's own error, sent in-band when the stream fails. */
export const SYSTEMERR = 3;

const HEADER = 8;

/**
 * Parses Docker's multiplexed framing: `[stream, 0, 0, 0, size (uint32 BE)]` then `size` bytes.
 * Payloads are handed on as they arrive (a frame split across chunks comes out in pieces), so a large
 * frame is never buffered whole.
 */
export class FrameDemuxer {
  private readonly header = Buffer.alloc(HEADER);
  private headerLength = 0;
  private stream = STDOUT;
  private remaining = 0;

  constructor(private readonly onPayload: (stream: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= n;
        this.onPayload(this.stream, chunk.subarray(offset, offset + n));
        offset += n;
        continue;
      }
      const n = Math.min(HEADER - this.headerLength, chunk.length - offset);
      chunk.copy(this.header, this.headerLength, offset, offset + n);
      this.headerLength += n;
      offset += n;
      if (this.headerLength === HEADER) {
        this.headerLength = 0;
        this.stream = this.header[0] as number;
        this.remaining = this.header.readUInt32BE(4);
      }
    }
  }

  /** True when the input so far ended on a frame boundary. */
  get atBoundary(): boolean {
    return this.headerLength === 0 && this.remaining === 0;
  }
}

/**
 * Copies a container's output stream to `stdout` and `stderr`, demultiplexing unless the container has a
 * TTY (raw stream: everything is stdout). Honours back-pressure; resolves when the source ends, rejects
 * with the daemon's in-band error (stream 3) or the source's error.
 */
/**
 * What container output is written to: any Writable, or anything that writes the same way (the CLI's
 * standard outputs write with write(2) without making Node streams).
 */
export interface OutputSink {
  /** false asks the caller to wait for `drain`, as Writable.write does. */
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export function demuxTo(
  source: Readable,
  multiplexed: boolean,
  stdout: OutputSink,
  stderr: OutputSink,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const systemErr: Buffer[] = [];
    const write = (target: OutputSink, data: Buffer): void => {
      if (!target.write(data)) {
        source.pause();
        target.once('drain', () => source.resume());
      }
    };
    const demuxer = new FrameDemuxer((stream, payload) => {
      if (stream === STDERR) write(stderr, payload);
      else if (stream === SYSTEMERR) systemErr.push(Buffer.from(payload));
      else write(stdout, payload);
    });
    source.on('data', (chunk: Buffer) => (multiplexed ? demuxer.push(chunk) : write(stdout, chunk)));
    source.on('error', reject);
    source.on('close', () => settle());
    source.on('end', () => settle());
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      if (systemErr.length > 0) {
        reject(new PolisError('request.failed', Buffer.concat(systemErr).toString('utf8').trim()));
      } else resolve();
    };
    // A quick container's stream may have ended before the caller got here: no event will come.
    if (source.readableEnded || source.destroyed) settle();
  });
}

/** A container's output as two readable streams. */
export interface ContainerStreams {
  stdout: Readable;
  /** Empty for a TTY container (its stderr arrives on stdout). */
  stderr: Readable;
  /** Settles when the daemon's stream ends (both streams have ended by then). */
  done: Promise<void>;
}

/**
 * A container's output stream from the daemon (attach, logs): multiplexed frames, or raw bytes for a
 * TTY container. Consume it once, with `demuxTo` or `split`.
 */
export class ContainerOutput {
  constructor(
    readonly raw: Readable,
    readonly multiplexed: boolean,
  ) {}

  /** Copies stdout and stderr to the given writables; settles when the daemon's stream ends. */
  demuxTo(stdout: OutputSink, stderr: OutputSink): Promise<void> {
    return demuxTo(this.raw, this.multiplexed, stdout, stderr);
  }

  /** The output as two readable streams. Read both, or neither flows. */
  split(): ContainerStreams {
    // Loaded here, not imported: the CLI's commands never split, and under Bun node:stream costs start-up.
    const { PassThrough } = process.getBuiltinModule('node:stream');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const done = this.demuxTo(stdout, stderr).finally(() => {
      stdout.end();
      stderr.end();
    });
    // A caller that only reads the streams must not see an unhandled rejection.
    done.catch(() => undefined);
    return { stdout, stderr, done };
  }

  /** Stops reading: closes the connection. */
  close(): void {
    this.raw.destroy();
  }
}

/** The content types Docker (API ≥ 1.42) puts on container streams; older daemons send neither. */
export function multiplexedFromContentType(contentType: string | undefined): boolean | undefined {
  if (contentType === 'application/vnd.docker.multiplexed-stream') return true;
  if (contentType === 'application/vnd.docker.raw-stream') return false;
  return undefined;
}
