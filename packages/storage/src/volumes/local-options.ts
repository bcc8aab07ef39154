import { PolisError, parseBytes } from '@polis/core';

/** The `local` driver's mount options, as Docker's: `type`, `o` and `device` go to mount(8). */
export interface LocalMountOptions {
  type: string;
  o: string;
  device: string;
}

/** What a `local` volume is, read from its options. */
export type LocalVolumeKind =
  { kind: 'plain' } | { kind: 'mount'; mount: LocalMountOptions } | { kind: 'sized'; bytes: number };

const VALID = ['type', 'o', 'device', 'size'];
/** Docker's rule: each option needs the ones listed with it. */
const REQUIRES: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };
/** Below this an ext4 image holds little more than its own journal. */
export const MIN_SIZE = 1024 * 1024;

/**
 * Checks a `local` volume's options in Docker's words and says what kind of volume they make: a plain
 * directory, a mount on `_data` (`type`/`device`/`o`), or a size-limited one (`size`, read as Docker
 * reads it: go-units RAMInBytes). `size` stands alone: a tmpfs takes its size in `o=size=`, and a
 * size on top of another mount would limit nothing.
 */
export function localVolumeKind(name: string, options: Record<string, string>): LocalVolumeKind {
  const fail = (what: string): PolisError =>
    new PolisError('volume.invalid', `create ${name}: ${what}`, { context: { name } });
  for (const key of Object.keys(options)) {
    if (!VALID.includes(key)) throw fail(`invalid option key: ${JSON.stringify(key)}`);
    for (const needed of REQUIRES[key] ?? []) {
      if (!(needed in options)) throw fail(`missing required option: ${JSON.stringify(needed)}`);
    }
  }
  if ('size' in options) {
    if ('type' in options) {
      throw fail('size cannot be combined with type, device or o (a tmpfs takes o=size=)');
    }
    let bytes: number;
    try {
      bytes = parseBytes(options.size as string);
    } catch (err) {
      throw new PolisError('volume.invalid', `create ${name}: invalid size: '${options.size}'`, {
        cause: err,
        context: { name },
      });
    }
    if (bytes < MIN_SIZE) throw fail(`size ${options.size} is below the minimum of 1m`);
    return { kind: 'sized', bytes };
  }
  if (!('type' in options)) return { kind: 'plain' };
  const o = options.o ?? '';
  if (options.type === 'none' && !o.split(',').includes('bind')) {
    throw fail('type "none" needs o=bind (a bind mount of device)');
  }
  return { kind: 'mount', mount: { type: options.type as string, o, device: options.device as string } };
}

/** mount(8)'s arguments for the options onto `target`. */
export function mountArgs(opts: LocalMountOptions, target: string): string[] {
  return [
    ...(opts.type === 'none' ? [] : ['-t', opts.type]),
    ...(opts.o ? ['-o', opts.o] : []),
    opts.device,
    target,
  ];
}
