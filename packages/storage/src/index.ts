export { secureJoin } from './securejoin.js';
export { copyUp } from './volumes/copy-up.js';
export { VolumeManager, LOCAL_DRIVER, ANONYMOUS_LABEL } from './volumes/manager.js';
export type { VolumeManagerOptions } from './volumes/manager.js';
export { checkVolumeName } from './volumes/names.js';
export type * from './volumes/types.js';
export {
  FORMAT_VERSION,
  MANIFEST_NAME,
  TRAILER_NAME,
  parseManifest,
  parseTrailer,
} from './backup/manifest.js';
export type { BackupManifest, BackupTrailer } from './backup/manifest.js';
export { syncVolumes } from './sync/volume-sync.js';
export type { SyncRequest, SyncResult } from './sync/volume-sync.js';
export { treeUsage } from './usage.js';
export { storageHealthChecks } from './volumes/health.js';
