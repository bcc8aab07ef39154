/** The resource flags of run, create and update (docker's container/opts.go and update.go), and their parsing. */
import type { ContainerUpdateBody, HostConfig, ThrottleDevice } from '@polis/sdk/engine';
import { parseBytes } from '@polis/core/bytes';
import { int, list, str, type FlagSpec, type Parsed } from '../flags.js';
import { parseCpus } from './parse.js';

/** Flags `update` shares with run and create. */
export const UPDATE_RESOURCE_FLAGS: FlagSpec[] = [
  {
    name: 'blkio-weight',
    type: 'int',
    help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable',
  },
  { name: 'cpu-period', type: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', type: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpu-shares', short: 'c', type: 'int', help: 'CPU shares (relative weight)' },
  { name: 'cpus', type: 'string', meta: 'decimal', help: 'Number of CPUs' },
  { name: 'cpuset-cpus', type: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'memory', short: 'm', type: 'string', meta: 'bytes', help: 'Memory limit' },
  { name: 'memory-reservation', type: 'string', meta: 'bytes', help: 'Memory soft limit' },
  {
    name: 'memory-swap',
    type: 'string',
    meta: 'bytes',
    help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
  },
  { name: 'pids-limit', type: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
];

/** Flags only run and create have (the ones `update` has too are in UPDATE_RESOURCE_FLAGS). */
export const CREATE_RESOURCE_FLAGS: FlagSpec[] = [
  { name: 'blkio-weight-device', type: 'list', help: 'Block IO weight (relative device weight)' },
  { name: 'cgroup-parent', type: 'string', help: 'Optional parent cgroup for the container' },
  { name: 'cgroupns', type: 'string', help: 'Cgroup namespace to use (host|private)' },
  { name: 'cpu-rt-period', type: 'int', help: 'Limit CPU real-time period in microseconds' },
  { name: 'cpu-rt-runtime', type: 'int', help: 'Limit CPU real-time runtime in microseconds' },
  { name: 'device-read-bps', type: 'list', help: 'Limit read rate (bytes per second) from a device' },
  { name: 'device-read-iops', type: 'list', help: 'Limit read rate (IO per second) from a device' },
  { name: 'device-write-bps', type: 'list', help: 'Limit write rate (bytes per second) to a device' },
  { name: 'device-write-iops', type: 'list', help: 'Limit write rate (IO per second) to a device' },
  {
    name: 'memory-swappiness',
    type: 'int',
    help: 'Tune container memory swappiness (0 to 100)',
    default: -1,
  },
  { name: 'oom-kill-disable', type: 'bool', help: 'Disable OOM Killer' },
  { name: 'oom-score-adj', type: 'int', help: "Tune host's OOM preferences (-1000 to 1000)" },
];

function devicePath(text: string, flag: string): [string, string] {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new Error(`invalid argument "${text}" for "--${flag}" flag: bad format: ${text}`);
  const path = text.slice(0, colon);
  if (!path.startsWith('/dev/'))
    throw new Error(`invalid argument "${text}" for "--${flag}" flag: bad format for device path: ${text}`);
  return [path, text.slice(colon + 1)];
}

/** `/dev/sda:1mb` (bps) or `/dev/sda:100` (iops), as docker's ValidateThrottle*Device. */
export function parseThrottle(text: string, flag: string, bytes: boolean): ThrottleDevice {
  const [path, value] = devicePath(text, flag);
  let rate: number;
  try {
    if (bytes) rate = parseBytes(value);
    else if (/^\d+$/.test(value)) rate = Number(value);
    else throw new Error();
  } catch {
    throw new Error(
      `invalid argument "${text}" for "--${flag}" flag: invalid rate for device: ${text}. The number must be a positive integer`,
    );
  }
  return { Path: path, Rate: rate };
}

/** `/dev/sda:200`, as docker's ValidateWeightDevice (10–1000, or 0). */
export function parseWeightDevice(text: string): { Path: string; Weight: number } {
  const [path, value] = devicePath(text, 'blkio-weight-device');
  const weight = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(weight) || (weight !== 0 && (weight < 10 || weight > 1000))) {
    throw new Error(
      `invalid argument "${text}" for "--blkio-weight-device" flag: invalid weight for device: ${text}`,
    );
  }
  return { Path: path, Weight: weight };
}

function bytesFlag(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  if (name === 'memory-swap' && v === '-1') return -1;
  return parseBytes(v);
}

function orUndefined<T>(xs: T[]): T[] | undefined {
  return xs.length ? xs : undefined;
}

/** The limits `update` (and run/create) send. */
export function updateResources(p: Parsed): ContainerUpdateBody {
  const cpus = str(p, 'cpus');
  return {
    Memory: bytesFlag(p, 'memory'),
    MemorySwap: bytesFlag(p, 'memory-swap'),
    MemoryReservation: bytesFlag(p, 'memory-reservation'),
    NanoCpus: cpus === undefined ? undefined : parseCpus(cpus),
    CpuShares: int(p, 'cpu-shares'),
    CpuPeriod: int(p, 'cpu-period'),
    CpuQuota: int(p, 'cpu-quota'),
    CpusetCpus: str(p, 'cpuset-cpus'),
    CpusetMems: str(p, 'cpuset-mems'),
    PidsLimit: int(p, 'pids-limit'),
    BlkioWeight: int(p, 'blkio-weight'),
  };
}

/** The HostConfig resource fields of run and create. */
export function createResources(p: Parsed): Partial<HostConfig> {
  const swappiness = int(p, 'memory-swappiness');
  return {
    ...updateResources(p),
    MemorySwappiness: swappiness === undefined || swappiness === -1 ? undefined : swappiness,
    OomKillDisable: p.changed.has('oom-kill-disable') ? p.values['oom-kill-disable'] === true : undefined,
    OomScoreAdj: int(p, 'oom-score-adj'),
    CpuRealtimePeriod: int(p, 'cpu-rt-period'),
    CpuRealtimeRuntime: int(p, 'cpu-rt-runtime'),
    BlkioWeightDevice: orUndefined(list(p, 'blkio-weight-device').map(parseWeightDevice)),
    BlkioDeviceReadBps: orUndefined(
      list(p, 'device-read-bps').map((d) => parseThrottle(d, 'device-read-bps', true)),
    ),
    BlkioDeviceWriteBps: orUndefined(
      list(p, 'device-write-bps').map((d) => parseThrottle(d, 'device-write-bps', true)),
    ),
    BlkioDeviceReadIOps: orUndefined(
      list(p, 'device-read-iops').map((d) => parseThrottle(d, 'device-read-iops', false)),
    ),
    BlkioDeviceWriteIOps: orUndefined(
      list(p, 'device-write-iops').map((d) => parseThrottle(d, 'device-write-iops', false)),
    ),
    CgroupParent: str(p, 'cgroup-parent'),
    CgroupnsMode: str(p, 'cgroupns'),
  };
}
