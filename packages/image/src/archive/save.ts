import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PolisError, type ImageRecord } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { decompress } from '../layers/stream.js';
import { formatReference, normalizeReference, parseReference, repositoryName } from '../reference/parse.js';
import type { LayerRow } from '../store/records.js';
import { blobPath, saveLayout, type SavedImage } from './layout.js';
import { TAR_END, dirHeader, fileHeader, padding, smallFile } from './tar-out.js';
import type { ArchiveService } from './types.js';

interface Selected {
  image: ImageRecord;
  /** Full names to write; empty when the image was named by id. */
  tags: string[];
}

/**
 * `docker save`: a tar stream of the named images in Docker 25's format (docker-archive plus OCI
 * layout), written as it is read. Names are resolved first, so an unknown one fails before any byte.
 */
export function saveImages(service: ArchiveService, refs: readonly string[]): Readable {
  const selected = new Map<string, Selected>();
  for (const ref of refs) {
    for (const pick of select(service, ref)) {
      const seen = selected.get(pick.image.id);
      if (seen) seen.tags.push(...pick.tags.filter((t) => !seen.tags.includes(t)));
      else selected.set(pick.image.id, pick);
    }
  }
  return Readable.from(archive(service, [...selected.values()]), { objectMode: false });
}

/**
 * Docker's choice of names: `repo:tag` saves that tag, a bare `repo` every tag of the repository,
 * an id (full or short) or a digest reference the image without names.
 */
function select(service: ArchiveService, ref: string): Selected[] {
  const repository = bareRepository(ref);
  if (repository !== undefined) {
    const prefix = `${repository}:`;
    const tagged = service
      .list()
      .map((image) => ({ image, tags: image.repoTags.filter((t) => t.startsWith(prefix)) }))
      .filter((s) => s.tags.length > 0);
    if (tagged.length > 0) return tagged;
  }
  const image = service.get(ref);
  const name = taggedName(ref);
  return [{ image, tags: name !== undefined && image.repoTags.includes(name) ? [name] : [] }];
}

function bareRepository(ref: string): string | undefined {
  try {
    const parsed = parseReference(ref);
    return parsed.tag === undefined && parsed.digest === undefined ? repositoryName(parsed) : undefined;
  } catch {
    return undefined;
  }
}

function taggedName(ref: string): string | undefined {
  try {
    const parsed = normalizeReference(ref);
    return parsed.digest === undefined ? formatReference(parsed) : undefined;
  } catch {
    return undefined;
  }
}

async function* archive(service: ArchiveService, selected: Selected[]): AsyncGenerator<Buffer> {
  const mtime = Math.floor(Date.now() / 1000);
  const images: SavedImage[] = [];
  const configs: Buffer[] = [];
  const layers = new Map<string, LayerRow>();
  for (const { image, tags } of selected) {
    const config = await service.blobs.readBuffer(image.id);
    const rows = service.layersOf(image.id);
    for (const row of rows) layers.set(row.diffId, row);
    configs.push(config);
    images.push({
      config: { digest: image.id, size: config.length },
      layers: rows.map((r) => ({ digest: r.diffId, size: r.size })),
      tags,
    });
  }
  const layout = saveLayout(images);
  for (const file of layout.files) yield smallFile(file.name, file.data, mtime);
  yield dirHeader('blobs/', mtime);
  yield dirHeader('blobs/sha256/', mtime);
  const written = new Set<string>();
  const small = images.flatMap((image, i) => {
    const manifest = layout.manifests[i] as Buffer;
    return [
      { digest: image.config.digest, data: configs[i] as Buffer },
      { digest: sha256Digest(manifest), data: manifest },
    ];
  });
  for (const blob of small) {
    if (written.has(blob.digest)) continue;
    written.add(blob.digest);
    yield smallFile(blobPath(blob.digest), blob.data, mtime);
  }
  for (const row of layers.values()) {
    if (written.has(row.diffId)) continue;
    written.add(row.diffId);
    const size = row.size > 0 ? row.size : await measure(service, row);
    yield fileHeader(blobPath(row.diffId), size, mtime);
    yield* layerTar(service, row, size);
    yield padding(size);
  }
  yield TAR_END;
}

/** The uncompressed size of a layer whose size was not recorded: one pass that only counts. */
async function measure(service: ArchiveService, row: LayerRow): Promise<number> {
  const { stream, done } = await decompress(service.blobs.read(row.blobDigest));
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) size += chunk.length;
  await done;
  return size;
}

/** A stored layer as its uncompressed tar, checked against the diff id and the size the header gave. */
async function* layerTar(service: ArchiveService, row: LayerRow, expected: number): AsyncGenerator<Buffer> {
  const { stream, done } = await decompress(service.blobs.read(row.blobDigest));
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > expected) break;
    hash.update(chunk);
    yield chunk;
  }
  await done;
  const digest = `sha256:${hash.digest('hex')}`;
  if (size !== expected || digest !== row.diffId) {
    throw new PolisError('store.failed', `stored layer ${row.diffId} does not match its record`, {
      context: { diffId: row.diffId, blob: row.blobDigest, size, expectedSize: expected, digest },
    });
  }
}
