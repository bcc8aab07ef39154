import { join } from 'node:path';
import type { ContainerRecord, ImageRecord } from '@polis/core';
import type { ImageService } from '@polis/image';
import { treeUsage } from '@polis/storage';
import { containerSummary } from '../docker/container-summary.js';
import { networkView } from '../docker/container-network.js';
import { imageSummary } from '../docker/image-shapes.js';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';
import { imageDefaults, volumeSource } from './containers/read.js';
import { volumeResource } from './volumes/shapes.js';

/**
 * Layer sizes shared between images: `LayersSize` counts each layer once, an image's `SharedSize` is the
 * part of its layers that another image also has (what removing it alone would not free).
 */
export function imageUsage(
  images: ImageRecord[],
  layerSizes: (image: ImageRecord) => Map<string, number>,
): { layersSize: number; shared: Map<string, number> } {
  const layers = new Map<string, { size: number; users: number }>();
  const perImage = new Map<string, Map<string, number>>();
  for (const image of images) {
    const sizes = layerSizes(image);
    perImage.set(image.id, sizes);
    for (const [chainId, size] of sizes) {
      const l = layers.get(chainId) ?? { size, users: 0 };
      l.users++;
      layers.set(chainId, l);
    }
  }
  let layersSize = 0;
  for (const l of layers.values()) layersSize += l.size;
  const shared = new Map<string, number>();
  for (const [id, sizes] of perImage) {
    let s = 0;
    for (const chainId of sizes.keys())
      if ((layers.get(chainId)?.users ?? 0) > 1) s += layers.get(chainId)?.size ?? 0;
    shared.set(id, s);
  }
  return { layersSize, shared };
}

function layerSizesOf(images: ImageService): (image: ImageRecord) => Map<string, number> {
  return (image) => {
    try {
      return new Map(images.layersOf(image.id).map((l) => [l.chainId, l.size]));
    } catch {
      return new Map(); // removed meanwhile
    }
  };
}

/** A container's writable layer: its overlay upper dir on the data root. */
function upperDir(record: ContainerRecord): string {
  return join(record.paths.dir, 'upper');
}

/**
 * `GET /system/df` in Docker's 1.41 shape. Image sizes are the recorded (uncompressed) layer sizes, as
 * Docker's; container and volume sizes are walked now (`treeUsage`: lstat, hard links once, async).
 */
export function systemDfRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/system/df', async ({ reply }) => {
    const images = deps.images.list();
    const records = deps.containers.list({ all: true });
    const { layersSize, shared } = imageUsage(images, layerSizesOf(deps.images));
    const byImage = new Map<string, number>();
    for (const r of records) byImage.set(r.imageId, (byImage.get(r.imageId) ?? 0) + 1);
    const imageSize = new Map(images.map((i) => [i.id, i.size]));
    const defaults = imageDefaults(deps.images);
    const now = Date.now();
    const containers = [];
    for (const r of records) {
      const sizeRw = await treeUsage(upperDir(r));
      containers.push({
        ...containerSummary(r, defaults(r.imageId), now, networkView(deps.networks, r), volumeSource(deps)),
        SizeRw: sizeRw,
        SizeRootFs: sizeRw + (imageSize.get(r.imageId) ?? 0),
      });
    }
    const volumes = [];
    for (const v of deps.volumes?.list() ?? []) {
      volumes.push({
        ...volumeResource(v),
        UsageData: {
          Size: await treeUsage(v.mountpoint),
          RefCount: deps.volumes?.usersOf(v.name).length ?? 0,
        },
      });
    }
    reply.json(200, {
      LayersSize: layersSize,
      Images: images.map((i) => ({
        ...imageSummary(i),
        SharedSize: shared.get(i.id) ?? 0,
        Containers: byImage.get(i.id) ?? 0,
      })),
      Containers: containers,
      Volumes: volumes,
      BuildCache: deps.builds?.usage() ?? [],
      BuilderSize: 0,
    });
  });
}
