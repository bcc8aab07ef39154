import { composeSpec, type BindMount, type ContainerRecord, type Spec } from '@polis/core';
import { securitySteps, type ContainerDevice } from '@polis/security';
import { hostLsm } from '../host/lsm.js';
import { withoutHostname, withShm, withWritableSys, type NamespaceModes } from './namespaces.js';
import type { HostRlimits } from '../host/limits.js';
import { withBlockIO } from './block-io.js';
import type { ResolvedUser } from './user.js';
import { withUserNamespace } from './userns.js';
import {
  baseSpec,
  withAnnotations,
  withBinds,
  withCgroupsPath,
  withDefaultMounts,
  withEtcFiles,
  withHostname,
  withInit,
  withProcess,
  withTmpfs,
} from './steps.js';

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export interface BuildInput {
  record: ContainerRecord;
  rootfs: string;
  /** Binds and volumes with host sources and mount points resolved inside the rootfs. */
  binds: BindMount[];
  user: ResolvedUser;
  hostRlimits: HostRlimits;
  hostCapabilities: string[];
  /** Network namespace: a path from the network layer, a fresh one ('none'), or the host's. */
  network: 'none' | 'host' | { path: string };
  /** OCI cgroupsPath (`/polis/<id>`, or systemd's `slice:prefix:name`). */
  cgroupsPath: string;
  /** Host path of the init binary, when the container asked for `--init`. */
  initPath?: string;
  /** pid, ipc and uts namespaces and /dev/shm, resolved at start (`namespaceModes`). */
  namespaces?: NamespaceModes;
  /** Device nodes to create (`--device`, or the host's for a privileged container). */
  devices?: ContainerDevice[];
}

/** The container's OCI config.json, composed from small steps in order. */
export function buildSpec(input: BuildInput): Spec {
  const { record } = input;
  const { spec } = record;
  return composeSpec(
    baseSpec(input.rootfs, spec.storage.readonlyRootfs),
    withProcess(record.process, input.user, spec.basic.tty, record.hostname, spec.basic.consoleSize),
    withHostname(record.hostname, spec.basic.domainname),
    withDefaultMounts(spec.resources.shmSize ?? DEFAULT_SHM_SIZE),
    withShm(input.namespaces?.shm ?? { kind: 'private' }),
    withWritableSys(spec.security.privileged),
    withoutHostname(input.namespaces?.uts),
    withEtcFiles({
      hosts: record.paths.hostsPath,
      hostname: record.paths.hostnamePath,
      resolvConf: record.paths.resolvConfPath,
    }),
    withBinds(input.binds),
    withTmpfs(spec.storage.tmpfs),
    ...securitySteps({
      security: spec.security,
      resources: spec.resources,
      namespaces: {
        network: input.network,
        ...(spec.security.cgroupns === 'host' ? { cgroup: 'host' } : {}),
        ...(input.namespaces?.pid ? { pid: input.namespaces.pid } : {}),
        ...(input.namespaces?.ipc ? { ipc: input.namespaces.ipc } : {}),
        ...(input.namespaces?.uts ? { uts: input.namespaces.uts } : {}),
      },
      hostRlimits: input.hostRlimits,
      hostCapabilities: input.hostCapabilities,
      hostLsm: hostLsm(),
      devices: input.devices ?? [],
    }),
    ...(record.idMappings ? [withUserNamespace(record.idMappings)] : []),
    withBlockIO(spec.resources),
    ...(spec.basic.init && input.initPath ? [withInit(input.initPath)] : []),
    withCgroupsPath(input.cgroupsPath),
    withAnnotations({ 'io.polis.container.name': record.name, 'io.polis.image': record.imageRef }),
  );
}
