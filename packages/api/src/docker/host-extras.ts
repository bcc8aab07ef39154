import type { BlkioDeviceValue, ResourceSpec, SecuritySpec } from '@polis/core';
import { checkSysctls, parseDeviceCgroupRule } from '@polis/security';
import { invalid } from '../http/errors.js';
import type { CgroupSupport } from './cgroup-support.js';
import type { Fields } from './fields.js';
import { compact, cpusetWithin } from './resources.js';

export interface ExtrasContext {
  support: CgroupSupport;
  /** Checks that a path is a block device (throws a 400 when not). */
  statDevice: (path: string) => unknown;
  networkMode: string;
}

export interface Extras {
  resources: Partial<ResourceSpec>;
  security: Partial<SecuritySpec>;
  consoleSize?: [number, number];
  warnings: string[];
}

const THROTTLES = [
  [
    'BlkioDeviceReadBps',
    'blkioDeviceReadBps',
    'blkioReadBps',
    'Rate',
    'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.',
  ],
  [
    'BlkioDeviceWriteBps',
    'blkioDeviceWriteBps',
    'blkioWriteBps',
    'Rate',
    'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.',
  ],
  [
    'BlkioDeviceReadIOps',
    'blkioDeviceReadIOps',
    'blkioReadIOps',
    'Rate',
    'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.',
  ],
  [
    'BlkioDeviceWriteIOps',
    'blkioDeviceWriteIOps',
    'blkioWriteIOps',
    'Rate',
    'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.',
  ],
  [
    'BlkioWeightDevice',
    'blkioWeightDevice',
    'blkioWeightDevice',
    'Weight',
    'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
  ],
] as const;

/** `[{Path, Rate}]` or `[{Path, Weight}]`, with the CLI's checks made by the daemon too. */
function deviceValues(host: Fields, key: string, valueKey: 'Rate' | 'Weight'): BlkioDeviceValue[] {
  return host.list(key).map((entry) => {
    const path = entry.str('Path') ?? '';
    const value = entry.int(valueKey) ?? 0;
    if (!path.startsWith('/dev/')) throw invalid(`bad format for device path: ${path}`);
    if (valueKey === 'Weight' && value !== 0 && (value < 10 || value > 1000)) {
      throw invalid(`invalid weight for device: ${path}:${value}`);
    }
    if (value < 0)
      throw invalid(`invalid rate for device: ${path}:${value}. The number must be a positive integer`);
    return { path, value };
  });
}

/**
 * The HostConfig (and Config) settings beyond the basic limits: each is applied, discarded with
 * Docker's warning when this host cannot enforce it, or refused. See create-fields.ts for the table.
 */
export function extrasFrom(config: Fields, host: Fields, ctx: ExtrasContext): Extras {
  const { support } = ctx;
  const warnings: string[] = [];
  const resources: Partial<ResourceSpec> = {};

  // Windows-only QoS: Docker refuses it on Linux.
  if (host.int('IOMaximumBandwidth')) {
    throw invalid('invalid option: QoS maximum bandwidth configuration is not supported on linux');
  }
  if (host.int('IOMaximumIOps')) {
    throw invalid('invalid option: QoS maximum IOPs configuration is not supported on linux');
  }
  const isolation = host.str('Isolation') ?? '';
  if (isolation !== '' && isolation !== 'default') {
    throw invalid(`invalid isolation (${isolation}): linux only supports 'default'`);
  }
  if (Object.keys(host.stringMap('StorageOpt')).length > 0) {
    throw invalid("--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
  }
  if (host.str('Cgroup')) throw invalid('HostConfig.Cgroup is not supported yet');

  // Memory.
  const swappiness = host.int('MemorySwappiness');
  // -1 is the CLI's "not given".
  if (swappiness !== undefined && swappiness !== -1) {
    if (!support.memorySwappiness) {
      warnings.push(
        'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
      );
    } else resources.memorySwappiness = swappiness;
  }
  if (host.bool('OomKillDisable')) {
    if (!support.oomKillDisable)
      warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    else {
      resources.oomKillDisable = true;
      if (!host.int('Memory')) {
        warnings.push(
          'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
        );
      }
    }
  }
  if (host.int('KernelMemory')) {
    // Deprecated by the kernel (5.4) and ignored by Docker since 23.0.
    warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
  }
  if (host.int('KernelMemoryTCP')) {
    warnings.push(
      'Specifying a kernel memory TCP limit is deprecated and will be removed in a future release.',
    );
  }
  const oomScoreAdj = host.int('OomScoreAdj');
  if (oomScoreAdj) resources.oomScoreAdj = oomScoreAdj;

  // CPU.
  if (host.int('CpuPercent')) warnings.push('linux does not support CPU percent. Percent discarded.');
  if (host.int('CpuCount')) warnings.push('linux does not support CPU count. Count discarded.');
  const mems = host.str('CpusetMems') || undefined;
  if (mems !== undefined) {
    if (!support.cpuset) {
      warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    } else {
      if (!/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(mems))
        throw invalid(`Invalid value ${mems} for cpuset mems`);
      if (support.mems !== '' && !cpusetWithin(mems, support.mems)) {
        throw invalid(
          `Requested memory nodes are not available - requested ${mems}, available: ${support.mems}`,
        );
      }
      resources.cpusetMems = mems;
    }
  }
  const rtPeriod = host.int('CpuRealtimePeriod') ?? 0;
  const rtRuntime = host.int('CpuRealtimeRuntime') ?? 0;
  if ((rtPeriod !== 0 || rtRuntime !== 0) && !support.cpuRealtime) {
    throw invalid('Your kernel does not support CPU real-time scheduler');
  }
  if (rtPeriod !== 0 && rtRuntime !== 0 && rtRuntime > rtPeriod) {
    throw invalid('cpu real-time runtime cannot be higher than cpu real-time period');
  }
  if (rtRuntime > support.realtimeRuntimeForContainers) {
    // Docker fails such a container at start unless its daemon grants real-time time (--cpu-rt-runtime).
    throw invalid(
      `cpu real-time runtime ${rtRuntime} is more than Polis's cgroup parent has to give (${support.realtimeRuntimeForContainers})`,
    );
  }
  if (rtPeriod) resources.cpuRealtimePeriod = rtPeriod;
  if (rtRuntime) resources.cpuRealtimeRuntime = rtRuntime;

  // Block I/O.
  const weight = host.int('BlkioWeight');
  if (weight) {
    if (!support.blkioWeight) {
      warnings.push(
        'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      );
    } else resources.blkioWeight = weight;
  }
  for (const [key, field, supported, valueKey, warning] of THROTTLES) {
    const list = deviceValues(host, key, valueKey);
    if (list.length === 0) continue;
    if (!support[supported]) {
      warnings.push(warning);
      continue;
    }
    for (const d of list) ctx.statDevice(d.path);
    resources[field] = list;
  }

  // Security and namespaces.
  const sysctls = host.stringMap('Sysctls');
  checkSysctls(sysctls, {
    hostNetwork: ctx.networkMode === 'host',
    hostIpc: host.str('IpcMode') === 'host',
    hostUts: host.str('UTSMode') === 'host',
  });
  const rules = host.strings('DeviceCgroupRules');
  rules.forEach(parseDeviceCgroupRule);
  const cgroupns = host.str('CgroupnsMode') ?? '';
  if (!['', 'host', 'private'].includes(cgroupns))
    throw invalid(`invalid cgroup namespace mode: ${cgroupns}`);
  const userns = host.str('UsernsMode') ?? '';
  if (!['', 'host'].includes(userns)) throw invalid(`invalid USER mode: ${userns}`);
  const security: Partial<SecuritySpec> = compact({
    sysctls: Object.keys(sysctls).length > 0 ? sysctls : undefined,
    deviceCgroupRules: rules.length > 0 ? rules : undefined,
    cgroupns: cgroupns === '' ? undefined : (cgroupns as 'host' | 'private'),
    usernsMode: userns === '' ? undefined : userns,
  });

  // Networking.
  if (config.str('MacAddress')) {
    warnings.push(
      'MacAddress is not supported by Polis: the container gets the MAC address its network derives from its IP. MacAddress discarded.',
    );
  }
  const endpoints = config.child('NetworkingConfig').child('EndpointsConfig');
  for (const name of config.child('NetworkingConfig').keys('EndpointsConfig')) {
    const endpoint = endpoints.child(name);
    if (endpoint.str('MacAddress')) {
      warnings.push(
        `MacAddress is not supported by Polis: the container gets the MAC address network ${name} derives from its IP. MacAddress discarded.`,
      );
    }
    if (Object.keys(endpoint.stringMap('DriverOpts')).length > 0) {
      warnings.push(
        `The bridge driver of Polis takes no endpoint options: DriverOpts for network ${name} discarded.`,
      );
    }
  }
  if (ctx.networkMode === 'host' && host.keys('PortBindings').length > 0) {
    warnings.push('Published ports are discarded when using host network mode');
  }

  // The terminal's first size (docker CLI 23+ sends it for -t).
  const size = host.raw('ConsoleSize');
  let consoleSize: [number, number] | undefined;
  if (size !== undefined) {
    if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw invalid('HostConfig.ConsoleSize: expected [height, width]');
    }
    if (size[0] > 0 && size[1] > 0) consoleSize = [size[0] as number, size[1] as number];
  }
  return { resources, security, warnings, ...(consoleSize ? { consoleSize } : {}) };
}
