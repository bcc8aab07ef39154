import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PolisError, proc } from '@polis/core';

/** Reads the first `n` bytes (fewer at end of input) and returns them with a stream of the whole input. */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = asBuffer(r.value);
    chunks.push(b);
    length += b.length;
  }
  const buffered = Buffer.concat(chunks);
  async function* whole(): AsyncGenerator<Buffer> {
    try {
      if (buffered.length > 0) yield buffered;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield asBuffer(r.value);
      }
    } finally {
      // Reached on early destroy too: let the source release what it holds.
      if (!ended) await it.return?.();
    }
  }
  return { head: buffered.subarray(0, n), stream: Readable.from(whole(), { objectMode: false }) };
}

/** The chunk as a Buffer over the same memory: `Buffer.from(uint8array)` would copy every layer byte. */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

const MAGIC: [Compression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return kind;
  }
  return 'none';
}

/** A tar stream starts with a ustar header or, for an empty archive, a zero block. */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  const magic = Buffer.from(head.subarray(257, 262)).toString('latin1');
  return magic === 'ustar' || head.subarray(0, 512).every((b) => b === 0);
}

export interface Decompressed {
  stream: Readable;
  compression: Compression;
  /** Settles when the decompressor finished; a failing external program rejects it. */
  done: Promise<void>;
}

/** Sniffs the compression from magic bytes and returns the uncompressed stream. */
export async function decompress(source: AsyncIterable<Uint8Array>): Promise<Decompressed> {
  const { head, stream } = await peek(source, 6);
  const compression = detectCompression(head);
  if (compression === 'none') return { stream, compression, done: Promise.resolve() };
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    return { stream: pipeline(stream, gunzip, () => undefined), compression, done: Promise.resolve() };
  }
  // zstd (Node 20's zlib has none), xz and bzip2 go through their programs, as Docker does for xz.
  const args = ['-d', '-c', '-q'];
  const child = proc.start(compression, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = proc.waitFor(child, compression, args);
  const stdin = child.stdin;
  const stdout = child.stdout;
  if (!stdin || !stdout) throw new PolisError('internal', `${compression}: no pipes`);
  stdin.on('error', () => undefined);
  stream.pipe(stdin);
  // A failing input must end the program too (closing its stdin), or `done` would never settle.
  stream.on('error', (err) => {
    stdin.destroy();
    stdout.destroy(err);
  });
  const done = exited.then(
    () => undefined,
    (err: unknown) => {
      throw new PolisError('image.layer_invalid', `cannot decompress ${compression} layer`, { cause: err });
    },
  );
  done.catch(() => undefined);
  return { stream: stdout, compression, done };
}
