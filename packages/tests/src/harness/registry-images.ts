import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxTar } from './busybox.js';
import type { TestRegistry } from './registry.js';
import {
  filesTar,
  hostArch,
  OciLayout,
  otherArch,
  randomTar,
  registryDigest,
  skopeoPush,
  type ImageInput,
} from './skopeo.js';

/** Builds a layout in a temp folder, lets `build` fill and tag it, pushes it, removes the folder. */
async function withLayout(
  registry: TestRegistry,
  repoTag: string,
  build: (layout: OciLayout, work: string) => Promise<string>,
  all = false,
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'polis-img-'));
  try {
    const layout = await OciLayout.create(work);
    const src = await build(layout, work);
    const dest = registry.ref(repoTag);
    await skopeoPush(src, dest, { creds: registry.creds, all });
    return await registryDigest(dest, registry.creds);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Pushes one image to `HOST/repoTag` through skopeo; returns the registry's manifest digest. */
export function pushImage(registry: TestRegistry, repoTag: string, image: ImageInput): Promise<string> {
  return withLayout(registry, repoTag, async (layout) => layout.tag('img', await layout.addImage(image)));
}

/** The busybox rootfs as a gzip layer, with the given config. */
export async function pushBusybox(
  registry: TestRegistry,
  repoTag: string,
  config: ImageInput['config'] = {},
): Promise<string> {
  return pushImage(registry, repoTag, {
    layers: [{ tar: await busyboxTar(), compression: 'gzip' }],
    config,
  });
}

export interface MultiPlatform {
  /** Digest of the index. */
  index: string;
  /** Digests of the two platform manifests. */
  host: string;
  other: string;
  hostArch: string;
  otherArch: string;
}

/**
 * An OCI index with linux/<host arch> and linux/<other arch>, both on the busybox layer; their
 * configs differ in Env `PLATFORM=<arch>` and label `polis.test.platform=<arch>`.
 */
export async function pushMultiPlatform(registry: TestRegistry, repoTag: string): Promise<MultiPlatform> {
  const digests: Partial<MultiPlatform> = { hostArch: hostArch(), otherArch: otherArch() };
  const tar = await busyboxTar();
  digests.index = await withLayout(
    registry,
    repoTag,
    async (layout) => {
      const image = (arch: string): ImageInput => ({
        layers: [{ tar, compression: 'gzip' }],
        architecture: arch,
        config: { Env: [`PLATFORM=${arch}`], Labels: { 'polis.test.platform': arch } },
      });
      const host = await layout.addImage(image(hostArch()));
      const other = await layout.addImage(image(otherArch()));
      digests.host = host.digest;
      digests.other = other.digest;
      return layout.tag('multi', await layout.addIndex([host, other]));
    },
    true,
  );
  return digests as MultiPlatform;
}

export const ZSTD_FILE = '/zstd/hello.txt';
export const ZSTD_TEXT = 'hello from a zstd layer\n';

/** busybox (gzip) plus a zstd-compressed layer holding ZSTD_FILE. */
export async function pushZstdImage(registry: TestRegistry, repoTag: string): Promise<string> {
  return withLayout(registry, repoTag, async (layout, work) => {
    const extra = await filesTar(work, 'zstd', { [ZSTD_FILE.slice(1)]: ZSTD_TEXT });
    const desc = await layout.addImage({
      layers: [
        { tar: await busyboxTar(), compression: 'gzip' },
        { tar: extra, compression: 'zstd' },
      ],
    });
    return layout.tag('zstd', desc);
  });
}

/**
 * busybox plus `layers` layers of `mib` MiB random bytes each (uncompressed tars; skopeo gzips them
 * on the way to the registry), at /data/big<N>.
 */
export async function pushLargeImage(
  registry: TestRegistry,
  repoTag: string,
  layers: number,
  mib: number,
): Promise<string> {
  return withLayout(registry, repoTag, async (layout, work) => {
    const inputs: ImageInput['layers'] = [{ tar: await busyboxTar(), compression: 'gzip' }];
    for (let i = 1; i <= layers; i++) {
      inputs.push({ tar: await randomTar(work, `big${i}`, mib), compression: 'none' });
    }
    return layout.tag('large', await layout.addImage({ layers: inputs }));
  });
}
