import type { ImageConfig } from '../oci/image-spec.js';

/** An image as the local store knows it. `id` is the config digest (`sha256:…`), as Docker's. */
export interface ImageRecord {
  id: string;
  /** Fully qualified names: `docker.io/library/busybox:latest`. */
  repoTags: string[];
  /** `docker.io/library/busybox@sha256:…` for images that came from or went to a registry. */
  repoDigests: string[];
  /** Digest of the manifest this image was stored from. */
  manifestDigest: string;
  config: ImageConfig;
  /** Sum of the uncompressed layer sizes. */
  size: number;
  created: string;
  /** Chain ids of the layers, bottom first. */
  chainIds: string[];
}
