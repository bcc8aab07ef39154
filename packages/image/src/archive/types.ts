import type { ImageRecord } from '@polis/core';
import type { BlobStore } from '../store/blobs.js';
import type { LayerRow } from '../store/records.js';
import type { CommitInput } from '../types.js';

/** The part of the local image service that save and load use. */
export interface ArchiveService {
  readonly blobs: BlobStore;
  get(reference: string): ImageRecord;
  list(): ImageRecord[];
  layersOf(imageId: string): LayerRow[];
  commitImage(input: CommitInput): Promise<ImageRecord>;
}

/** Whether an image service can save and load archives (the local one can; API test fakes need not). */
export function supportsArchives(images: object): images is ArchiveService {
  const s = images as Partial<Record<keyof ArchiveService, unknown>>;
  return typeof s.layersOf === 'function' && typeof s.commitImage === 'function' && s.blobs !== undefined;
}

/** Annotations that name an image in an OCI layout (containerd's full name, the OCI ref name). */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
