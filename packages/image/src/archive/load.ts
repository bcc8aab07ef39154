import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MediaType, type ImageRecord } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { detectCompression } from '../layers/stream.js';
import { familiarName } from '../reference/familiar.js';
import { guardUpload } from '../store/space.js';
import { ArchiveDir } from './archive-dir.js';
import { readDockerArchive } from './docker-archive.js';
import { archiveInvalid, asArchiveError } from './errors.js';
import { readOciLayout } from './oci-layout.js';
import { isRecord, parseJson, type PlannedImage, type PlannedLayer } from './plan.js';
import type { CommitInput } from '../types.js';
import type { ArchiveService } from './types.js';

const LAYER_TYPES = { none: MediaType.OciLayer, gzip: MediaType.OciLayerGzip, zstd: MediaType.OciLayerZstd };

/**
 * `docker load`: reads a docker-archive (old or Docker 25 layout) or an OCI layout archive, stores
 * its layers, and records each image with its names. `onLoaded` gets docker's lines as images land
 * (`Loaded image: busybox:latest`, `Loaded image ID: sha256:…`). A bad archive is
 * `image.archive_invalid`, and the blobs it brought are removed again. `size` is the upload's declared
 * length: an archive the data root has no room for is refused (`no_space`) before it is read.
 */
export async function loadImages(
  service: ArchiveService,
  input: Readable,
  onLoaded?: (line: string, image: ImageRecord) => void,
  size?: number,
): Promise<{ loaded: string[] }> {
  const added: string[] = [];
  try {
    await mkdir(service.blobs.tmpDir, { recursive: true });
    const guarded = await guardUpload(input, service.blobs.tmpDir, size);
    return await ArchiveDir.with(guarded, service.blobs.tmpDir, async (dir) => {
      const plans = await readPlans(dir);
      const commits: CommitInput[] = [];
      for (const plan of plans) commits.push(await prepare(service, dir, plan, added));
      const loaded: string[] = [];
      for (const commit of commits) {
        const image = await service.commitImage(commit);
        for (const line of linesFor(image, commit.tags ?? [])) {
          loaded.push(line.name);
          onLoaded?.(line.text, image);
        }
      }
      return { loaded };
    });
  } catch (err) {
    await dropUnused(service, added);
    throw asArchiveError(err);
  }
}

async function readPlans(dir: ArchiveDir): Promise<PlannedImage[]> {
  let plans: PlannedImage[];
  if (await dir.exists('manifest.json')) plans = await readDockerArchive(dir);
  else if (await dir.exists('index.json')) plans = await readOciLayout(dir);
  else throw archiveInvalid('no manifest.json or index.json in the archive');
  if (plans.length === 0) throw archiveInvalid('the archive holds no image');
  return plans;
}

/** Checks an image's config and stores its layers; returns what to commit. */
async function prepare(
  service: ArchiveService,
  dir: ArchiveDir,
  plan: PlannedImage,
  added: string[],
): Promise<CommitInput> {
  const config = await dir.bytes(plan.configPath);
  const configDigest = sha256Digest(config);
  if (plan.configDigest !== undefined && plan.configDigest !== configDigest) {
    throw archiveInvalid(`config ${plan.configDigest} has digest ${configDigest}`);
  }
  const parsed = parseJson(config, `config ${plan.configPath}`);
  const diffIds = isRecord(parsed) && isRecord(parsed.rootfs) ? parsed.rootfs.diff_ids : undefined;
  if (!Array.isArray(diffIds)) throw archiveInvalid(`config ${configDigest} has no rootfs.diff_ids`);
  if (diffIds.length !== plan.layers.length) {
    throw archiveInvalid(
      `config ${configDigest} lists ${diffIds.length} layers, the archive gives ${plan.layers.length}`,
    );
  }
  const layers: CommitInput['layers'] = [];
  for (const layer of plan.layers) layers.push(await storeLayer(service, dir, layer, added));
  const commit: CommitInput = { config, layers, tags: plan.tags, digestNames: plan.digestNames };
  if (plan.manifest !== undefined) commit.manifest = plan.manifest;
  return commit;
}

/** Writes a layer member into the blob store, unless a blob of that digest is there already. */
async function storeLayer(
  service: ArchiveService,
  dir: ArchiveDir,
  layer: PlannedLayer,
  added: string[],
): Promise<CommitInput['layers'][number]> {
  // The member must be there even when the store has its blob already: the archive must be whole.
  await dir.file(layer.path);
  const mediaType = layer.mediaType ?? (await sniffMediaType(dir, layer.path));
  const digest = layer.digest ?? (await dir.digest(layer.path));
  if (await service.blobs.has(digest)) {
    return { digest, size: await service.blobs.size(digest), mediaType };
  }
  const expected = layer.size === undefined ? { digest } : { digest, size: layer.size };
  const blob = await service.blobs.write(await dir.stream(layer.path), expected);
  added.push(blob.digest);
  return { ...blob, mediaType };
}

async function sniffMediaType(dir: ArchiveDir, path: string): Promise<string> {
  const compression = detectCompression(await dir.head(path, 6));
  if (compression === 'xz' || compression === 'bzip2') {
    throw archiveInvalid(
      `layer ${path} is ${compression}-compressed; only plain, gzip and zstd tars are supported`,
    );
  }
  return LAYER_TYPES[compression];
}

/** Docker's lines: one per name, or the id for an image without names. */
function linesFor(image: ImageRecord, tags: string[]): { name: string; text: string }[] {
  if (tags.length === 0) return [{ name: image.id, text: `Loaded image ID: ${image.id}` }];
  return tags.map((tag) => {
    const name = familiarName(tag);
    return { name, text: `Loaded image: ${name}` };
  });
}

/** Removes blobs this load wrote that no image records (a failed load leaves the store as it was). */
async function dropUnused(service: ArchiveService, added: string[]): Promise<void> {
  if (added.length === 0) return;
  const used = new Set<string>();
  for (const image of service.list()) {
    used.add(image.id).add(image.manifestDigest);
    for (const layer of service.layersOf(image.id)) used.add(layer.blobDigest);
  }
  for (const digest of added) if (!used.has(digest)) await service.blobs.delete(digest);
}
