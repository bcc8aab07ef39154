import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { chmod, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, errnoCode } from '@polis/core';
import { digestHex } from '../digest.js';
import { spaceError } from './space.js';

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface ExpectedBlob {
  digest?: string;
  size?: number;
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export type BlobSource = AsyncIterable<Uint8Array> | Uint8Array | string;

/**
 * Content-addressed blobs under `<dataRoot>/content/blobs/sha256/<hex>`. A blob is written to a temp
 * file under `<dataRoot>/content/tmp/`, hashed while written, checked, fsynced and renamed into place,
 * so a blob path either does not exist or holds exactly the content its name promises.
 */
export class BlobStore {
  readonly root: string;
  readonly blobDir: string;
  readonly tmpDir: string;

  constructor(dataRoot: string) {
    this.root = join(dataRoot, 'content');
    this.blobDir = join(this.root, 'blobs', 'sha256');
    this.tmpDir = join(this.root, 'tmp');
  }

  /**
   * Creates the directories (root's alone: image configs hold Env and history) and removes temp files
   * an interrupted write left behind. A store an older polisd made 0755 is closed too.
   */
  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true, mode: DIR_MODE });
    await mkdir(this.tmpDir, { recursive: true, mode: DIR_MODE });
    await chmod(this.root, DIR_MODE);
    for (const name of await readdir(this.tmpDir)) {
      await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
  }

  path(digest: string): string {
    return join(this.blobDir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      throw this.missing(digest, err);
    }
  }

  /** Streams a blob; the stream fails with `image.not_found` when the blob is absent. */
  read(digest: string): ReadStream {
    return createReadStream(this.path(digest));
  }

  async readBuffer(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      throw this.missing(digest, err);
    }
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.readBuffer(digest)).toString('utf8')) as T;
  }

  /** Writes a blob; with `expected`, a different digest or size fails with `image.digest_mismatch`. */
  async write(source: BlobSource, expected: ExpectedBlob = {}): Promise<BlobInfo> {
    if (expected.digest !== undefined) digestHex(expected.digest);
    await mkdir(this.tmpDir, { recursive: true, mode: DIR_MODE });
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'wx', FILE_MODE);
    try {
      try {
        const chunks =
          typeof source === 'string' || source instanceof Uint8Array ? [toBytes(source)] : source;
        for await (const chunk of chunks) {
          size += chunk.length;
          // Stopped the moment it passes its size: a source that never ends must not fill the disk.
          if (expected.size !== undefined && size > expected.size) throw tooLarge(expected, size);
          hash.update(chunk);
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected.digest !== undefined && expected.digest !== digest) {
        throw new PolisError(
          'image.digest_mismatch',
          `digest mismatch: expected ${expected.digest}, got ${digest}`,
          {
            context: { expected: expected.digest, actual: digest },
          },
        );
      }
      if (expected.size !== undefined && expected.size !== size) {
        throw new PolisError(
          'image.digest_mismatch',
          `size mismatch for ${digest}: expected ${expected.size}, got ${size}`,
          {
            context: { digest, expectedSize: expected.size, actualSize: size },
          },
        );
      }
      await mkdir(this.blobDir, { recursive: true, mode: DIR_MODE });
      await rename(tmp, this.path(digest));
      return { digest, size };
    } catch (err) {
      const failure = await spaceError(this.tmpDir, err);
      await rm(tmp, { force: true });
      throw failure;
    }
  }

  /** Why a blob is not what its name promises (missing, or other content), or undefined when it is. */
  async check(digest: string): Promise<string | undefined> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of this.read(digest) as AsyncIterable<Buffer>) hash.update(chunk);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return `blob ${digest} is missing`;
      throw err;
    }
    const actual = `sha256:${hash.digest('hex')}`;
    return actual === digest ? undefined : `blob ${digest} holds ${actual}`;
  }

  async writeJson(value: unknown): Promise<BlobInfo & { data: Buffer }> {
    const data = Buffer.from(JSON.stringify(value));
    return { ...(await this.write(data)), data };
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** Digests of all stored blobs. */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.blobDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }

  private missing(digest: string, err: unknown): unknown {
    if (errnoCode(err) !== 'ENOENT') return err;
    return new PolisError('image.not_found', `blob ${digest} not found`, { cause: err, context: { digest } });
  }
}

function tooLarge(expected: ExpectedBlob, received: number): PolisError {
  const name = expected.digest ?? 'blob';
  return new PolisError(
    'image.digest_mismatch',
    `size mismatch for ${name}: more than the ${expected.size} bytes expected (stopped after ${received})`,
    { context: { digest: expected.digest, expectedSize: expected.size, received } },
  );
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data) : data;
}
