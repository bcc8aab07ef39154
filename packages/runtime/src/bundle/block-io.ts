import { statSync } from 'node:fs';
import {
  PolisError,
  type BlkioDeviceValue,
  type BlockDeviceRate,
  type ResourceSpec,
  type SpecStep,
} from '@polis/core';

/** Major and minor of a device number as Linux encodes it (glibc's gnu_dev_major/minor). */
export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const big = BigInt(rdev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return { major, minor };
}

export type StatDevice = (path: string) => { major: number; minor: number };

/** The number of a block device node; anything else is refused (the kernel would refuse it at start). */
export function statBlockDevice(path: string): { major: number; minor: number } {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new PolisError('request.invalid', `block I/O device ${path}: ${(err as Error).message}`, {
      context: { path },
    });
  }
  if (!st.isBlockDevice()) {
    throw new PolisError('request.invalid', `block I/O device ${path} is not a block device`, {
      context: { path },
    });
  }
  return deviceNumbers(st.rdev);
}

/**
 * The per-device block I/O settings (`--blkio-weight-device`, `--device-read-bps`, …) with each path
 * resolved to its device number now, as Docker does at start: numbers can change across reboots.
 */
export function withBlockIO(r: ResourceSpec, stat: StatDevice = statBlockDevice): SpecStep {
  const rates = (list: BlkioDeviceValue[] | undefined): BlockDeviceRate[] | undefined =>
    list?.length ? list.map((d) => ({ ...stat(d.path), rate: d.value })) : undefined;
  const blockIO = {
    ...(r.blkioWeightDevice?.length
      ? { weightDevice: r.blkioWeightDevice.map((d) => ({ ...stat(d.path), weight: d.value })) }
      : {}),
    ...optional('throttleReadBpsDevice', rates(r.blkioDeviceReadBps)),
    ...optional('throttleWriteBpsDevice', rates(r.blkioDeviceWriteBps)),
    ...optional('throttleReadIOPSDevice', rates(r.blkioDeviceReadIOps)),
    ...optional('throttleWriteIOPSDevice', rates(r.blkioDeviceWriteIOps)),
  };
  if (Object.keys(blockIO).length === 0) return (spec) => spec;
  return (spec) => {
    const resources = spec.linux?.resources ?? {};
    return {
      ...spec,
      linux: { ...spec.linux, resources: { ...resources, blockIO: { ...resources.blockIO, ...blockIO } } },
    };
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
