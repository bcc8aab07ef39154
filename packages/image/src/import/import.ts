import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PolisError, isPolisError } from '@polis/core';
import { decompress, looksLikeTar, peek } from '../layers/stream.js';
import type { BlobInfo, BlobStore } from '../store/blobs.js';

export interface ImportedLayer {
  /** The stored gzip blob. */
  blob: BlobInfo;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Uncompressed size. */
  size: number;
}

/**
 * Stores a rootfs tarball (plain, gzip, zstd, xz or bzip2) as a gzip layer blob in one pass, hashing
 * the uncompressed tar for the diff id and the gzip output for the blob digest on the way.
 */
export async function storeLayer(input: Readable, blobs: BlobStore): Promise<ImportedLayer> {
  const { stream, done } = await decompress(input);
  const { head, stream: tar } = await peek(stream, 512);
  if (!looksLikeTar(head)) {
    tar.destroy();
    await done.catch(() => undefined);
    throw new PolisError('image.layer_invalid', 'the imported content is not a tar archive');
  }
  const diffHash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      diffHash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const gzip = createGzip();
  const stored = blobs.write(gzip);
  const [piped, written, decompressed] = await Promise.allSettled([pipeline(tar, tap, gzip), stored, done]);
  const failures = [decompressed, piped, written].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  // A full disk breaks every stage at once; the others' failures (a premature close) are its echo.
  const full = failures.find((err) => isPolisError(err, 'no_space'));
  if (full !== undefined) throw full;
  if (failures.length > 0) throw asLayerError(failures[0]);
  if (written.status !== 'fulfilled') throw new PolisError('internal', 'layer blob not written');
  return { blob: written.value, diffId: `sha256:${diffHash.digest('hex')}`, size };
}

function asLayerError(err: unknown): PolisError {
  if (err instanceof PolisError) return err;
  const errno = (err as NodeJS.ErrnoException).code;
  if (typeof errno === 'string' && errno.startsWith('Z_')) {
    return new PolisError('image.layer_invalid', `invalid compressed data: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return new PolisError('store.failed', `cannot store layer: ${(err as Error).message}`, { cause: err });
}
