import type { ImageRecord } from '@polis/core';
import type { LayerSource, LayerStore } from '../layers/store.js';
import type { RegistryConfig } from '../registry/endpoints.js';
import type { BlobStore } from '../store/blobs.js';
import type { CommitInput } from '../types.js';

/** What pulls and pushes use of the image service. */
export interface TransferContext {
  blobs: BlobStore;
  layers: LayerStore;
  registry: RegistryConfig;
  openLayer(digest: string): Promise<LayerSource>;
  commit(input: CommitInput): Promise<ImageRecord>;
  find(id: string): ImageRecord | undefined;
  /** Records that the image is known in a registry as `repo@sha256:…`. */
  nameDigest(name: string, imageId: string): void;
  layersOf(imageId: string): { blobDigest: string; mediaType: string }[];
  /** Keeps blobs and layers from being collected while a transfer holds them unrecorded. */
  pin(keys: string[]): void;
  unpin(keys: string[]): void;
  dropUnused(blobs: string[], chainIds: string[]): Promise<void>;
  /** Blob downloads in flight, by digest: a second pull of the same blob waits for the first. */
  downloads: Map<string, Promise<void>>;
}
