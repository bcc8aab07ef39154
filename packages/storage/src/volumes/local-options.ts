import { PolisError } from '@polis/core';

/** The `local` driver's options, as Docker's: `type`, `o` and `device` go to mount(8). */
export interface LocalMountOptions {
  type: string;
  o: string;
  device: string;
}

const VALID = ['type', 'o', 'device', 'size'];
/** Docker's rule: each option needs the ones listed with it. */
const REQUIRES: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/**
 * Checks a `local` volume's options in Docker's words; undefined for a plain directory. `size` needs
 * quota support, which this driver does not have yet.
 */
export function localMountOptions(
  name: string,
  options: Record<string, string>,
): LocalMountOptions | undefined {
  const fail = (what: string): PolisError =>
    new PolisError('volume.invalid', `create ${name}: ${what}`, { context: { name } });
  for (const key of Object.keys(options)) {
    if (!VALID.includes(key)) throw fail(`invalid option key: ${JSON.stringify(key)}`);
    for (const needed of REQUIRES[key] ?? []) {
      if (!(needed in options)) throw fail(`missing required option: ${JSON.stringify(needed)}`);
    }
  }
  if ('size' in options) throw fail('quota size requested but no quota support');
  if (!('type' in options)) return undefined;
  const o = options.o ?? '';
  if (options.type === 'none' && !o.split(',').includes('bind')) {
    throw fail('type "none" needs o=bind (a bind mount of device)');
  }
  return { type: options.type as string, o, device: options.device as string };
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
