import { PolisError } from '@polis/core';

/**
 * Mount flags a tmpfs may carry, each with the flag it sets or clears: `exec` and `noexec` share a
 * key, so the later of the two wins (moby's mount.MergeTmpfsOptions). Propagation modes share one key.
 */
const FLAG_KEYS: Record<string, string> = {
  ro: 'rdonly',
  rw: 'rdonly',
  suid: 'nosuid',
  nosuid: 'nosuid',
  dev: 'nodev',
  nodev: 'nodev',
  exec: 'noexec',
  noexec: 'noexec',
  sync: 'sync',
  async: 'sync',
  dirsync: 'dirsync',
  mand: 'mand',
  nomand: 'mand',
  atime: 'noatime',
  noatime: 'noatime',
  diratime: 'nodiratime',
  nodiratime: 'nodiratime',
  relatime: 'relatime',
  norelatime: 'relatime',
  strictatime: 'strictatime',
  nostrictatime: 'strictatime',
  private: 'propagation',
  rprivate: 'propagation',
  shared: 'propagation',
  rshared: 'propagation',
  slave: 'propagation',
  rslave: 'propagation',
  unbindable: 'propagation',
  runbindable: 'propagation',
};

/** The `key=value` options tmpfs itself takes. */
const DATA_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** What Docker gives every tmpfs before the user's options: no set-uid, no devices, no executables. */
export const TMPFS_DEFAULT_OPTIONS: readonly string[] = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/**
 * Docker's defaults merged with the user's tmpfs options, the user's winning where both speak
 * (`exec` overrides `noexec`, a second `size=` the first). Unknown options are refused, as Docker does.
 */
export function tmpfsOptions(user: readonly string[]): string[] {
  const all = [...TMPFS_DEFAULT_OPTIONS, ...user.filter((o) => o !== '' && o !== 'defaults')];
  const seen = new Set<string>();
  const merged: string[] = [];
  // From the end, so the last word on each key is the one kept; order otherwise preserved.
  for (let i = all.length - 1; i >= 0; i--) {
    const option = all[i] as string;
    const eq = option.indexOf('=');
    const key =
      eq < 0 ? FLAG_KEYS[option] : DATA_KEYS.has(option.slice(0, eq)) ? `=${option.slice(0, eq)}` : undefined;
    if (key === undefined) {
      throw new PolisError('request.invalid', `invalid tmpfs option ${JSON.stringify(option)}`, {
        context: { option },
      });
    }
    if (seen.has(key)) continue;
    seen.add(key);
    merged.unshift(option);
  }
  return merged;
}
