import { MediaType, type Descriptor, type Index, type Manifest } from '@polis/core';
import { digestHex, sha256Digest } from '../digest.js';
import { familiarName, familiarRepository } from '../reference/familiar.js';
import { parseReference } from '../reference/parse.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME } from './types.js';

/** One image as a save writes it: its config blob, its layers as uncompressed tars, its names. */
export interface SavedImage {
  config: { digest: string; size: number };
  /** Uncompressed layers, bottom first: the digest is the diff id. */
  layers: { digest: string; size: number }[];
  /** Full names (`docker.io/library/busybox:latest`); none for an image saved by id. */
  tags: string[];
}

/** The archive's metadata files and the OCI manifest each image gets. */
export interface SaveLayout {
  manifests: Buffer[];
  files: { name: string; data: Buffer }[];
}

export function blobPath(digest: string): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

/** The OCI manifest of an image whose layers are stored as plain tars (as docker save writes them). */
export function savedManifest(image: SavedImage): Buffer {
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: image.config.digest, size: image.config.size },
    layers: image.layers.map((l) => ({ mediaType: MediaType.OciLayer, digest: l.digest, size: l.size })),
  };
  return Buffer.from(JSON.stringify(manifest));
}

/**
 * Docker 25's `docker save` layout: `manifest.json` and `repositories` for docker load (old and new)
 * and skopeo's docker-archive, beside an OCI image layout (`oci-layout`, `index.json`, `blobs/`).
 */
export function saveLayout(images: readonly SavedImage[]): SaveLayout {
  const manifests = images.map(savedManifest);
  const descriptors: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const entries = images.map((image, i) => {
    const manifest = manifests[i] as Buffer;
    const base: Descriptor = {
      mediaType: MediaType.OciManifest,
      digest: sha256Digest(manifest),
      size: manifest.length,
    };
    if (image.tags.length === 0) descriptors.push(base);
    const top = image.layers.at(-1);
    for (const tag of image.tags) {
      const ref = parseReference(tag);
      descriptors.push({
        ...base,
        annotations: { [ANNOTATION_IMAGE_NAME]: tag, [ANNOTATION_REF_NAME]: ref.tag ?? 'latest' },
      });
      if (top !== undefined && ref.tag !== undefined) {
        (repositories[familiarRepository(ref)] ??= {})[ref.tag] = digestHex(top.digest);
      }
    }
    return {
      Config: blobPath(image.config.digest),
      RepoTags: image.tags.map((t) => familiarName(t)),
      Layers: image.layers.map((l) => blobPath(l.digest)),
    };
  });
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: descriptors };
  const files = [
    { name: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: json(index) },
    { name: 'manifest.json', data: json(entries) },
  ];
  if (Object.keys(repositories).length > 0) files.push({ name: 'repositories', data: json(repositories) });
  return { manifests, files };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) + '\n');
}
