import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { LogEntry } from '@polis/runtime';
import { rfc3339NanoFixed } from '../docker/timestamps.js';

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

const STREAM_ID = { stdout: 1, stderr: 2 } as const;

/** Docker's 8-byte frame header: stream id, three zero bytes, payload length (uint32 big-endian). */
export function frameHeader(stream: 'stdout' | 'stderr', length: number): Buffer {
  const header = Buffer.alloc(8);
  header[0] = STREAM_ID[stream];
  header.writeUInt32BE(length, 4);
  return header;
}

export interface FrameOptions {
  /** With a TTY there is one stream and no framing. */
  tty: boolean;
  /** Prefix each entry with its time, as `docker logs -t` shows it. */
  timestamps: boolean;
}

/** The bytes of one log entry on the wire. */
export function encodeEntry(entry: LogEntry, options: FrameOptions): Buffer {
  const payload = options.timestamps
    ? Buffer.concat([Buffer.from(`${rfc3339NanoFixed(entry.time)} `), entry.data])
    : entry.data;
  return options.tty ? payload : Buffer.concat([frameHeader(entry.stream, payload.length), payload]);
}

/** Writes entries to `out` as they come, honouring backpressure; stops when the signal aborts. */
export async function pumpEntries(
  entries: AsyncIterable<LogEntry>,
  out: Writable,
  options: FrameOptions,
  signal: AbortSignal,
): Promise<void> {
  for await (const entry of entries) {
    if (signal.aborted || out.destroyed) return;
    if (!out.write(encodeEntry(entry, options))) {
      try {
        await once(out, 'drain', { signal });
      } catch {
        return;
      }
    }
  }
}
