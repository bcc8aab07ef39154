import type { Readable, Writable } from 'node:stream';
import { PolisError, proc } from '@polis/core';

/**
 * GNU tar, run as root: keeps numeric owners, modes, and the xattrs an image may carry: `user.*`,
 * ACLs and file capabilities. `trusted.*` (overlayfs reads `trusted.overlay.opaque`, `…redirect`,
 * `…origin` from the layer dirs, so a layer could forge them) and the rest of `security.*` (SELinux
 * labels) are never the layer's to set; tar extracts only the listed patterns. Whiteouts become
 * overlay attributes later, from their OCI markers. GNU tar refuses `..` members, strips leading `/`,
 * and defers symlinks that point outside so later members cannot be written through them.
 */
export const TAR_EXTRACT_ARGS = [
  '-x',
  '--numeric-owner',
  '--same-permissions',
  '--same-owner',
  '--xattrs',
  '--xattrs-include=user.*',
  '--xattrs-include=system.posix_acl_access',
  '--xattrs-include=system.posix_acl_default',
  '--xattrs-include=security.capability',
  '--warning=no-timestamp',
  // Records of 256 KiB from however many pipe reads: tar's 10 KiB records woke the writer on the
  // other side of its pipe once per record.
  '--record-size=262144',
  '--read-full-records',
  '-f',
  '-',
];

/**
 * Extracts an uncompressed tar stream into `dir` (which must exist). `xattrs` names more attributes
 * to keep: only Polis's own archives (the overlay form of whiteouts) may set `trusted.overlay.*`.
 */
export async function extractTar(
  input: Readable | Buffer,
  dir: string,
  options: { xattrs?: readonly string[] } = {},
): Promise<void> {
  const extra = (options.xattrs ?? []).map((name) => `--xattrs-include=${name}`);
  const args = [...TAR_EXTRACT_ARGS, ...extra, '-C', dir];
  if (Buffer.isBuffer(input)) {
    await proc.run('tar', args, { input }).catch((err: unknown) => {
      throw layerError(dir, err);
    });
    return;
  }
  const child = proc.start('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = proc.waitFor(child, 'tar', args);
  const stdin = child.stdin;
  if (!stdin) throw new PolisError('internal', 'tar: no stdin pipe');
  const [fed, finished] = await Promise.allSettled([feed(input, stdin), exited]);
  // A failing input (corrupt gzip) is the cause of tar's failure, so it is reported first.
  if (fed.status === 'rejected') throw layerError(dir, fed.reason);
  if (finished.status === 'rejected') throw layerError(dir, finished.reason);
}

/**
 * Writes the input to tar's stdin. tar may stop reading after the end-of-archive blocks: the rest
 * of the input is then read and dropped, so the producer (a decompressor, a hash) sees all of it.
 */
export async function feed(input: Readable, stdin: Writable): Promise<void> {
  let open = true;
  const closed = (): void => {
    open = false;
  };
  stdin.on('error', closed);
  stdin.on('close', closed);
  try {
    for await (const chunk of input) {
      if (!open) continue;
      if (!stdin.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
      }
    }
  } catch (err) {
    // A failing input must end tar too (it sees its input cut short), or it would wait forever.
    stdin.destroy();
    throw err;
  }
  if (open) stdin.end();
}

export function layerError(dir: string, err: unknown): PolisError {
  if (err instanceof PolisError && err.code !== 'process.failed') return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new PolisError('image.layer_invalid', `cannot extract layer: ${detail}`, {
    cause: err,
    context: { dir },
  });
}
