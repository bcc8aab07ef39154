import { PolisError, type DeviceCgroup, type SpecStep } from '@polis/core';
import { withLinux, withResources } from './spec-parts.js';

function allowChar(major: number, minor?: number): DeviceCgroup {
  return minor === undefined
    ? { allow: true, type: 'c', major, access: 'rwm' }
    : { allow: true, type: 'c', major, minor, access: 'rwm' };
}

/**
 * The device cgroup of an unprivileged container, as runc and Docker set it: deny everything, allow
 * mknod of any node (using one still needs a rule), and the standard character devices.
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceCgroup[] = Object.freeze([
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  allowChar(1, 3), // null
  allowChar(1, 5), // zero
  allowChar(1, 7), // full
  allowChar(5, 0), // tty
  allowChar(1, 8), // random
  allowChar(1, 9), // urandom
  allowChar(5, 1), // console
  allowChar(136), // /dev/pts/*
  allowChar(5, 2), // ptmx
]);

const RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** `c 1:3 mr` (`--device-cgroup-rule`) as an allow rule; `*` is any number. Docker's check and words. */
export function parseDeviceCgroupRule(rule: string): DeviceCgroup {
  const m = RULE.exec(rule);
  if (!m) {
    throw new PolisError('request.invalid', `invalid device cgroup rule format: '${rule}'`, {
      context: { rule },
    });
  }
  const [, type, major, minor, access] = m as unknown as [string, string, string, string, string];
  return {
    allow: true,
    type,
    ...(major === '*' ? {} : { major: Number(major) }),
    ...(minor === '*' ? {} : { minor: Number(minor) }),
    access,
  };
}

/**
 * Sets the device cgroup rules; a privileged container may use every device. The user's extra rules
 * (`--device-cgroup-rule`) come after the defaults, so they widen what the defaults deny.
 */
export function deviceCgroupStep(privileged: boolean, extra: readonly string[] = []): SpecStep {
  const added = extra.map(parseDeviceCgroupRule);
  const rules: DeviceCgroup[] = privileged
    ? [{ allow: true, access: 'rwm' }]
    : [...DEFAULT_DEVICE_RULES.map((r) => ({ ...r })), ...added];
  return (spec) => withResources(spec, { devices: rules.map((r) => ({ ...r })) });
}

/** A host device node as the runtime found it, and where and how the container gets it. */
export interface ContainerDevice {
  /** Path inside the container. */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
  /** Device cgroup access: some of `r`, `w`, `m`. */
  permissions: string;
}

const MODE = /^[rwm]{1,3}$/;

/** `--device` permissions: Docker's check (`r`, `w`, `m`, each at most once). */
export function checkDevicePermissions(permissions: string): void {
  if (!MODE.test(permissions) || new Set(permissions).size !== permissions.length) {
    throw new PolisError('request.invalid', `invalid device mode: ${permissions}`, {
      context: { permissions },
    });
  }
}

/**
 * `--device` (and every host device for a privileged container): the node in `linux.devices`, which
 * the runtime creates, and an allow rule with its permissions after the device cgroup's rules.
 */
export function hostDevicesStep(devices: readonly ContainerDevice[]): SpecStep {
  if (devices.length === 0) return (spec) => spec;
  return (spec) => {
    const withNodes = withLinux(spec, {
      devices: [
        ...(spec.linux?.devices ?? []),
        ...devices.map((d) => ({
          path: d.path,
          type: d.type,
          major: d.major,
          minor: d.minor,
          fileMode: d.fileMode,
          uid: d.uid,
          gid: d.gid,
        })),
      ],
    });
    const rules: DeviceCgroup[] = devices.map((d) => ({
      allow: true,
      type: d.type,
      major: d.major,
      minor: d.minor,
      access: d.permissions,
    }));
    return withResources(withNodes, { devices: [...(withNodes.linux?.resources?.devices ?? []), ...rules] });
  };
}
