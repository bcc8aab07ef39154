import { existsSync, readFileSync } from 'node:fs';
import type { HostLsm } from '@polis/security';

let cached: HostLsm | undefined;

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Whether AppArmor and SELinux are on (read once): AppArmor as Docker's apparmor.HostSupports checks
 * it (securityfs entry and the module parameter), SELinux by its file system being mounted.
 */
export function hostLsm(): HostLsm {
  cached ??= {
    apparmor:
      existsSync('/sys/kernel/security/apparmor') && read('/sys/module/apparmor/parameters/enabled') === 'Y',
    selinux: existsSync('/sys/fs/selinux/enforce'),
  };
  return cached;
}
