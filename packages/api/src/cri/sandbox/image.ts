import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, isPolisError, proc, which } from '@polis/core';
import type { ImageService } from '@polis/image';

/** The image of every sandbox: Debian's static catatonit alone, in pause mode. Made locally, never pulled. */
export const SANDBOX_IMAGE = 'localhost/polis-cri-sandbox:catatonit';

let making: Promise<string> | undefined;

/** The sandbox image's id, imported from the host's catatonit on first use. */
export function ensureSandboxImage(images: ImageService, tmpRoot: string): Promise<string> {
  try {
    return Promise.resolve(images.get(SANDBOX_IMAGE).id);
  } catch (err) {
    if (!isPolisError(err, 'image.not_found')) throw err;
  }
  making ??= makeSandboxImage(images, tmpRoot).finally(() => (making = undefined));
  return making;
}

async function makeSandboxImage(images: ImageService, tmpRoot: string): Promise<string> {
  const catatonit = which('catatonit');
  if (!catatonit) {
    throw new PolisError(
      'runtime.unavailable',
      'catatonit not found on PATH (Debian package catatonit): no pod sandboxes',
    );
  }
  const dir = await mkdtemp(join(tmpRoot, 'cri-sandbox-'));
  try {
    await copyFile(catatonit, join(dir, 'catatonit'));
    const tar = join(dir, 'layer.tar');
    await proc.run('tar', ['-C', dir, '--owner=0', '--group=0', '-cf', tar, 'catatonit']);
    const image = await images.importTarball(createReadStream(tar), {
      reference: SANDBOX_IMAGE,
      message: 'Polis CRI pod sandbox (catatonit -P)',
      changes: ['ENTRYPOINT ["/catatonit", "-P"]'],
      size: (await stat(tar)).size,
    });
    return image.id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
