export type * from './types.js';
export { LocalImageService, type LocalImageServiceOptions } from './service.js';
export {
  parseReference,
  normalizeReference,
  withDefaultTag,
  formatReference,
  repositoryName,
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  type ImageReference,
} from './reference/parse.js';
export { familiarName, familiarRepository } from './reference/familiar.js';
export { digestProblem, digestHex, isSha256Digest, sha256Digest } from './digest.js';
export { BlobStore, type BlobInfo, type BlobSource, type ExpectedBlob } from './store/blobs.js';
export { declaredLength } from './store/space.js';
export { LayerStore, type LayerSource, type LayerUnpacked } from './layers/store.js';
export { chainIds } from './layers/chain.js';
export { convertWhiteouts, OPAQUE_MARKER, WHITEOUT_PREFIX, OVERLAY_OPAQUE_XATTR } from './layers/whiteout.js';
export { decompress, detectCompression, type Compression } from './layers/stream.js';
export { extractTar } from './layers/extract.js';
export { upperChanges, ChangeKind, type FsChange } from './layers/upper-changes.js';
export { planUpperLayer, upperLayerTar, type UpperPlan } from './layers/from-upper.js';
export { exportTree, type TreeExport } from './rootfs/export.js';
export { hostPlatform } from './import/config.js';
export { applyChanges } from './import/changes.js';
export { busyboxRootfsTar, type BusyboxRootfsOptions } from './busybox-rootfs.js';
export type { LayerRow } from './store/records.js';
export { parseImageConfig, MAX_CONFIG_BYTES } from './manifest/config.js';
export { saveImages, loadImages, supportsArchives, type ArchiveService } from './archive/index.js';
export type { PullOptions, PullResult } from './pull/pull.js';
export type { PushOptions, PushResult } from './push/push.js';
export type { ProgressEvent, ProgressSink } from './pull/progress.js';
export type { RegistryCredentials } from './registry/auth.js';
export { registryHost, type RegistryConfig } from './registry/endpoints.js';
export { parseManifest, ACCEPTED_MANIFEST_TYPES, type ManifestDocument } from './manifest/parse.js';
export { selectPlatform, formatPlatform, type PlatformSpec } from './manifest/platform.js';
