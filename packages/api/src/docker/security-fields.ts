import type { DeviceMapping, SecuritySpec } from '@polis/core';
import { checkDevicePermissions } from '@polis/security';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';
import { compact } from './resources.js';

/** `HostConfig.Devices`: Docker's DeviceMapping, with the container path and permissions defaulted. */
function devicesFrom(host: Fields): DeviceMapping[] {
  return host.list('Devices').map((d) => {
    const pathOnHost = d.str('PathOnHost') ?? '';
    const pathInContainer = d.str('PathInContainer') || pathOnHost;
    const cgroupPermissions = d.str('CgroupPermissions') || 'rwm';
    if (!pathOnHost.startsWith('/')) throw invalid(`bad format for path: ${pathOnHost}`);
    if (!pathInContainer.startsWith('/')) throw invalid(`bad format for path: ${pathInContainer}`);
    checkDevicePermissions(cgroupPermissions);
    return { pathOnHost, pathInContainer, cgroupPermissions };
  });
}

/**
 * The security and namespace fields of HostConfig. The modes are checked by the runtime at create
 * (`checkNamespaceModes`), where the containers they name are known.
 */
export function securityFrom(host: Fields): SecuritySpec {
  const masked = host.raw('MaskedPaths') === undefined ? undefined : host.strings('MaskedPaths');
  const readonly = host.raw('ReadonlyPaths') === undefined ? undefined : host.strings('ReadonlyPaths');
  const devices = devicesFrom(host);
  const groupAdd = host.strings('GroupAdd');
  const ipc = host.str('IpcMode') || undefined;
  return compact({
    privileged: host.bool('Privileged'),
    capAdd: host.strings('CapAdd'),
    capDrop: host.strings('CapDrop'),
    securityOpt: host.strings('SecurityOpt'),
    maskedPaths: masked,
    readonlyPaths: readonly,
    devices: devices.length > 0 ? devices : undefined,
    groupAdd: groupAdd.length > 0 ? groupAdd : undefined,
    // `private` is what no mode means; kept out so that records stay as before.
    ipcMode: ipc === 'private' ? undefined : ipc,
    pidMode: host.str('PidMode') || undefined,
    utsMode: host.str('UTSMode') || undefined,
    usernsMode: host.str('UsernsMode') || undefined,
  });
}
