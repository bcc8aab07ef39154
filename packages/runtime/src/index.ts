export type * from './types.js';
export { ContainerManager, type ContainerManagerOptions } from './manager.js';
export { prepareHybridCgroups, cgroupMode, type CgroupMode } from './host/cgroups.js';
export { signalName } from './lifecycle/signals.js';
export { statBlockDevice } from './bundle/block-io.js';
export type { CommitOptions } from './lifecycle/commit.js';
export type { ResourceUpdate } from './lifecycle/update.js';
export type { FsChange } from '@polis/image';
