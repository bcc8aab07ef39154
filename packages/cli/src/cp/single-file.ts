import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BLOCK, fileHeader, isZeroBlock, padding, parseFileHeader } from './tar-header.js';

/**
 * The common case of `cp`, one regular file, without GNU tar: the CLI writes or reads the one ustar
 * header itself and moves the content in large chunks, which saves a process and a pipe hop per byte.
 * Anything else (a directory, a link, a long name) still goes through GNU tar.
 */

/** Read and write size: few syscalls and promise turns per file, little memory held. */
const CHUNK = 1024 * 1024;

/**
 * A tar stream of the regular file `path`, named `name`, or undefined when it is not a regular file
 * (a symlink is archived as itself, by tar) or its name or numbers need more than plain ustar.
 */
export async function fileTar(path: string, name: string): Promise<Readable | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if (['ELOOP', 'EISDIR'].includes(String((err as NodeJS.ErrnoException).code))) return undefined;
    throw err;
  }
  const st = await handle.stat();
  const header = st.isFile()
    ? fileHeader({ name, mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, mtime: st.mtimeMs / 1000 })
    : undefined;
  if (!header) {
    await handle.close();
    return undefined;
  }
  return Readable.from(fileBlocks(handle, header, st.size, path), {
    objectMode: false,
    highWaterMark: CHUNK,
  });
}

async function* fileBlocks(
  handle: FileHandle,
  header: Buffer,
  size: number,
  path: string,
): AsyncGenerator<Buffer> {
  try {
    yield header;
    let position = 0;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      // The header promised `size` bytes: a shorter archive would be corrupt, so it fails instead.
      if (bytesRead === 0) throw new Error(`${path}: file shrank while being copied`);
      position += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
    yield Buffer.alloc(padding(size) + 2 * BLOCK);
  } finally {
    await handle.close();
  }
}

/** Exactly `n` bytes from a paused stream (fewer only at its end). */
function readBytes(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined, value?: Buffer): void => {
      stream.off('readable', attempt);
      stream.off('end', onEnd);
      stream.off('error', done);
      if (err) reject(err);
      else resolve(value ?? Buffer.alloc(0));
    };
    const attempt = (): void => {
      const chunk = stream.read(n) as Buffer | null;
      if (chunk !== null) done(undefined, chunk);
    };
    const onEnd = (): void => done(undefined);
    stream.on('readable', attempt);
    stream.on('end', onEnd);
    stream.on('error', done);
    attempt();
  });
}

/**
 * Extracts `stream` as the file `target` when it is a tar of one plain regular file named `name`, as
 * `tar -x -p --no-same-owner` would: the archive's mode and mtime, the caller's owner; the file appears
 * at once when complete (written beside it, then renamed). Returns false, with the stream as it was,
 * when the archive is anything else or `target` is a directory, for GNU tar to handle.
 */
export async function extractFile(stream: Readable, name: string, target: string): Promise<boolean> {
  const first = await readBytes(stream, BLOCK);
  const header = first.length === BLOCK ? parseFileHeader(first) : undefined;
  const existing = await lstat(target).catch(() => undefined);
  if (!header || header.name !== name || existing?.isDirectory()) {
    if (first.length > 0) stream.unshift(first);
    return false;
  }
  const temp = join(dirname(target), `.${basename(target)}.polis-cp-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  let renamed = false;
  try {
    await writeContent(stream, handle, header.size);
    await handle.chmod(header.mode & 0o7777);
    await handle.utimes(new Date(), new Date(header.mtime * 1000));
    await handle.close();
    await rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    }
  }
  return true;
}

/**
 * `size` bytes of content into `handle`; what follows must be the tar's zeros. A sink rather than a
 * `for await` loop: the response keeps flowing into its buffer (4 MiB) while a write is on its way to the
 * disk, and everything buffered meanwhile goes down in one `writev`.
 */
async function writeContent(stream: Readable, handle: FileHandle, size: number): Promise<void> {
  const sink = new ContentSink(handle, size);
  await pipeline(stream, sink);
  if (sink.remaining > 0) throw new Error('the archive ended before the end of the file');
}

class ContentSink extends Writable {
  private position = 0;

  constructor(
    private readonly handle: FileHandle,
    public remaining: number,
  ) {
    super({ highWaterMark: 4 * CHUNK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.take([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.take(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  private async take(buffers: Buffer[]): Promise<void> {
    const content: Buffer[] = [];
    let length = 0;
    for (let rest of buffers) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, rest.length);
        content.push(rest.subarray(0, take));
        length += take;
        this.remaining -= take;
        rest = rest.subarray(take);
      }
      if (rest.length > 0 && !isZeroBlock(rest)) {
        throw new Error('unexpected content after the file in the archive');
      }
    }
    if (length === 0) return;
    await writeAt(this.handle, content, length, this.position);
    this.position += length;
  }
}

/** Writes `buffers` (`total` bytes) at `position`, finishing a short write. */
async function writeAt(
  handle: FileHandle,
  buffers: Buffer[],
  total: number,
  position: number,
): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers, position);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(buffers).subarray(bytesWritten);
  for (let offset = 0; offset < rest.length;) {
    offset += (await handle.write(rest, offset, rest.length - offset, position + bytesWritten + offset))
      .bytesWritten;
  }
}
