/**
 * @polis/security: pure builders of OCI spec fragments. Each export is a SpecStep or makes one; the
 * runtime composes them onto its base spec. Nothing here reads files or the host: what the steps need
 * from the host (hard limits, capabilities, kernel) comes in as parameters.
 *
 * Privileged, in this package, means: all capabilities, no seccomp, no masked or read-only paths, and
 * a device cgroup that allows every device. Creating the host's device nodes in the container is the
 * runtime's job.
 */
import type { ResourceSpec, SecuritySpec, SpecStep } from '@polis/core';
import { capabilitiesStep } from './capabilities.js';
import { deviceCgroupStep, hostDevicesStep, type ContainerDevice } from './devices.js';
import { lsmStep, type HostLsm } from './lsm.js';
import { namespacesStep, type NamespaceOptions } from './namespaces.js';
import { pathsStep } from './paths.js';
import { sysctlStep } from './sysctls.js';
import { resourcesStep } from './resources.js';
import { defaultRlimitsStep, ulimitsStep, type HostHardLimits } from './rlimits.js';
import type { SeccompArch } from './seccomp/arch.js';
import { seccompStep } from './seccomp/step.js';
import { noNewPrivilegesStep, parseSecurityOptions } from './security-opts.js';

export { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capability-names.js';
export {
  capabilitiesStep,
  normalizeCapabilities,
  resolveCapabilities,
  type CapabilityOptions,
} from './capabilities.js';
export { namespacesStep, type NamespaceOptions } from './namespaces.js';
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, pathsStep } from './paths.js';
export { noNewPrivilegesStep, parseSecurityOptions, type SecurityOptions } from './security-opts.js';
export { seccompStep, type SeccompChoice, type SeccompStepOptions } from './seccomp/step.js';
export { toOciSeccomp, type SeccompContext } from './seccomp/convert.js';
export {
  parseDockerSeccompProfile,
  type DockerSeccompProfile,
  type DockerSyscallRule,
  type DockerRuleFilter,
} from './seccomp/docker-profile.js';
export { DEFAULT_SECCOMP_PROFILE } from './seccomp/default-syscalls.js';
export { hostSeccompArch, SECCOMP_ARCH_NAMES, type SeccompArch } from './seccomp/arch.js';
export { CPU_PERIOD, resourcesStep } from './resources.js';
export {
  checkDevicePermissions,
  DEFAULT_DEVICE_RULES,
  deviceCgroupStep,
  hostDevicesStep,
  parseDeviceCgroupRule,
  type ContainerDevice,
} from './devices.js';
export { lsmStep, type HostLsm } from './lsm.js';
export { checkSysctls, sysctlStep, type SysctlContext } from './sysctls.js';
export { TMPFS_DEFAULT_OPTIONS, tmpfsOptions } from './tmpfs.js';
export {
  DEFAULT_NOFILE,
  defaultRlimitsStep,
  ULIMIT_TYPES,
  ulimitsStep,
  type HostHardLimits,
} from './rlimits.js';

export interface SecurityInput {
  security: SecuritySpec;
  resources: ResourceSpec;
  namespaces: NamespaceOptions;
  hostRlimits: HostHardLimits;
  /** The daemon's bounding set; limits what "all capabilities" means. */
  hostCapabilities?: readonly string[];
  /** Defaults to the architecture Node runs on. */
  arch?: SeccompArch;
  /** Host kernel release, for seccomp rules with a minimum kernel. */
  kernel?: string;
  /** The host's security modules; absent means neither AppArmor nor SELinux. */
  hostLsm?: HostLsm;
  /** Host device nodes to create (`--device`, or all of them for a privileged container). */
  devices?: readonly ContainerDevice[];
}

/**
 * All of this package's steps for one container, in order. Every option is validated here, so a bad
 * request fails before any step runs. Capabilities come before seccomp, whose conditional rules
 * follow the final capability set; run these after the step that sets the process user.
 */
export function securitySteps(input: SecurityInput): SpecStep[] {
  const { security, resources } = input;
  const opts = parseSecurityOptions(security.securityOpt);
  return [
    namespacesStep(input.namespaces),
    capabilitiesStep({
      privileged: security.privileged,
      capAdd: security.capAdd,
      capDrop: security.capDrop,
      hostCapabilities: input.hostCapabilities,
    }),
    noNewPrivilegesStep(opts.noNewPrivileges),
    seccompStep({
      choice: opts.seccomp,
      privileged: security.privileged,
      arch: input.arch,
      kernel: input.kernel,
    }),
    pathsStep(security),
    lsmStep(opts, input.hostLsm ?? { apparmor: false, selinux: false }),
    deviceCgroupStep(security.privileged, security.deviceCgroupRules),
    hostDevicesStep(input.devices ?? []),
    sysctlStep(security.sysctls, {
      hostNetwork: input.namespaces.network === 'host',
      hostIpc: input.namespaces.ipc === 'host',
      hostUts: input.namespaces.uts === 'host',
    }),
    resourcesStep(resources),
    defaultRlimitsStep(input.hostRlimits),
    ulimitsStep(resources.ulimits),
  ];
}
export { securityHealthChecks, seccompCheck, cgroupControllers } from './health.js';
