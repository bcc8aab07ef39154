import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { PolisError } from '@polis/core';
import { fdPath, type HeldTree } from './at.js';
import { FILE_READ } from './apply.js';
import { IO_PARALLEL, mapPool } from './pool.js';

const CHUNK = 256 * 1024;

/** sha256 of each regular file at `paths` in the held tree, opened without following a link. */
export async function hashFiles(tree: HeldTree, paths: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await mapPool(paths, IO_PARALLEL, async (path) => {
    const buf = Buffer.allocUnsafe(CHUNK);
    await tree.inParent(path, async (fd, name) => {
      const handle = await open(fdPath(fd, name), FILE_READ);
      try {
        if (!(await handle.stat()).isFile()) {
          throw new PolisError(
            'volume.busy',
            `${path} changed type while it was synced; run the sync again`,
            {
              context: { path },
            },
          );
        }
        const hash = createHash('sha256');
        for (;;) {
          const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
          if (bytesRead === 0) break;
          hash.update(buf.subarray(0, bytesRead));
        }
        out.set(path, hash.digest('hex'));
      } finally {
        await handle.close();
      }
    });
  });
  return out;
}
